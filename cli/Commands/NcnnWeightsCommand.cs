using System.CommandLine;
using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn ncnn-weights: writes the seeded random weights our import of an ncnn .param uses without a .bin, as a
/// .bin, so that ncnn (benchncnn, ncnn_run) runs the very same weights.</summary>
internal static class NcnnWeightsCommand
{
    public static Command Create()
    {
        var param = new Argument<string>("param") { Description = "the ncnn .param (text or binary)" };
        var seed = new Option<int>("--seed") { Description = "seed of the random weights", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--output", "-o") { Description = ".bin file to write", Required = true };
        var command = new Command("ncnn-weights", "write seeded random weights for an ncnn .param as a .bin") { param, seed, output };
        command.SetAction(r =>
        {
            var path = OptionChecks.WritableFile(r.GetValue(output)!, "--output");
            NcnnImporter.WriteRandomWeights(r.GetValue(param)!, path, r.GetValue(seed));
            Console.WriteLine($"wrote {path} ({new FileInfo(path).Length / 1e6:F1} MB): seeded random weights (seed {r.GetValue(seed)}) for {r.GetValue(param)}");
        });
        return command;
    }
}
