using System.CommandLine;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;
using Spectre.Console;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn precision: fp16 variants against fp32 on N random images (uniform pixels in [0, 1]): the largest
/// deviation relative to the fp32 output's largest value, and how often the top class agrees.</summary>
internal static class PrecisionCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var inputs = new Option<int>("--inputs", "-n") { Description = "random inputs to compare on", DefaultValueFactory = _ => 200 };
        var command = new Command("precision", "compare fp16 storage and fp16 arithmetic with fp32 on random inputs") { inputs };
        common.AddTo(command);
        command.SetAction(r =>
        {
            var source = common.Source(r);
            int n = OptionChecks.InRange(r.GetValue(inputs), "--inputs", 1, 1_000_000);
            var graph = source.Load();
            using var device = CliDevice.Open(r.GetValue(common.Device));
            using var fp32 = InferenceSession.Create(graph, device);
            var variants = new[] { Precision.Float16Storage, Precision.Float16 }
                .Select(p => (Precision: p, Session: InferenceSession.Create(graph, device, new SessionOptions { Precision = p }))).ToList();
            var worst = new double[variants.Count];
            var sum = new double[variants.Count];
            var agree = new int[variants.Count];
            try
            {
                var random = new Random(1);
                var input = new float[fp32.InputLength];
                AnsiConsole.Progress().Start(ctx =>
                {
                    var task = ctx.AddTask($"{n} inputs", maxValue: n);
                    for (int i = 0; i < n; i++)
                    {
                        for (int j = 0; j < input.Length; j++) input[j] = random.NextSingle();
                        var reference = fp32.Run(input);
                        double scale = reference.Max(Math.Abs);
                        int top = Array.IndexOf(reference, reference.Max());
                        for (int v = 0; v < variants.Count; v++)
                        {
                            var output = variants[v].Session.Run(input);
                            double deviation = reference.Zip(output, (a, b) => Math.Abs(a - b)).Max() / scale;
                            worst[v] = Math.Max(worst[v], deviation);
                            sum[v] += deviation;
                            if (Array.IndexOf(output, output.Max()) == top) agree[v]++;
                        }
                        task.Increment(1);
                    }
                });
            }
            finally
            {
                foreach (var v in variants) v.Session.Dispose();
            }
            Console.WriteLine($"model:  {source.Describe()} on {device}, {n} random inputs, compared with fp32");
            var table = new Table().AddColumn("precision").AddColumn(new TableColumn("max rel. deviation").RightAligned())
                .AddColumn(new TableColumn("mean rel. deviation").RightAligned()).AddColumn(new TableColumn("top-1 agreement").RightAligned());
            for (int v = 0; v < variants.Count; v++)
                table.AddRow(variants[v].Precision.ToString(), worst[v].ToString("E2"), (sum[v] / n).ToString("E2"), $"{100.0 * agree[v] / n:F1}%");
            AnsiConsole.Write(table);
            Console.WriteLine("relative deviation = max |fp16 - fp32| / max |fp32| over the output vector");
            return 0;
        });
        return command;
    }
}
