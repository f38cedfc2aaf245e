using System.CommandLine;
using GpuMobileNet.Cli;
using GpuMobileNet.Cli.Commands;

GpuMobileNet.Runtime.PhaseLog.MarkMain();

var root = new RootCommand("gmn: MobileNet inference on Vulkan compute (GpuMobileNet)")
{
    ClassifyCommand.Create(),
    InspectCommand.Create(),
    ExportOnnxCommand.Create(),
    ExportHlslCommand.Create(),
    BenchCommand.Create(),
    DevicesCommand.Create(),
    PrecisionCommand.Create(),
    TeachCommand.Create(),
    ConformanceCommand.Create(),
    DetectCommand.Create(),
    ZooCommand.Create(),
    NcnnWeightsCommand.Create(),
};
// Redirected output (scripts, tests, `| less`) gets Spectre's 80-column default, which wraps the per-layer
// tables into unreadable cells; a wide fixed width keeps one row per line.
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 240;
// Our handler, not System.CommandLine's: one line per error, no stack trace.
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // A wrong command line is told apart from a failed run (exit 2, not 1), each error on its own line.
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"gmn: usage: {error.Message}");
    Console.Error.WriteLine("gmn: see 'gmn --help' or 'gmn COMMAND --help'");
    return CliErrors.UsageExitCode;
}
return CliErrors.Run(() => parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
