using System.CommandLine;
using GpuMobileNet.Cli;
using GpuMobileNet.Cli.Commands;

var root = new RootCommand("gmn: MobileNet inference on Vulkan compute (GpuMobileNet)")
{
    ClassifyCommand.Create(),
    InspectCommand.Create(),
    BenchCommand.Create(),
    DevicesCommand.Create(),
};
// Our handler, not System.CommandLine's: one line per error, no stack trace.
return CliErrors.Run(() => root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
