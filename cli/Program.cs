Console.WriteLine("gmn");
