namespace GpuMobileNet.Cli;

/// <summary>Turns any failure into one line on stderr and a non-zero exit: users see what is wrong with
/// which file, not a stack trace (set GMN_DEBUG=1 for the trace).</summary>
internal static class CliErrors
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("GMN_DEBUG") != "1")
        {
            var inner = e is AggregateException { InnerException: { } i } ? i : e;
            Console.Error.WriteLine($"gmn: error: {OneLine(inner.Message)}");
            return 1;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
