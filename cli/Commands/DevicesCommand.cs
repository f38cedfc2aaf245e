using System.CommandLine;
using GpuMobileNet.Vulkan;
using Spectre.Console;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn devices: the Vulkan devices this machine offers, and which one is chosen by default.</summary>
internal static class DevicesCommand
{
    public static Command Create()
    {
        var command = new Command("devices", "list Vulkan devices");
        command.SetAction(_ =>
        {
            var table = new Table().AddColumns("index", "name", "kind", "Vulkan", "driver");
            foreach (var d in VulkanDevice.ListDevices())
                table.AddRow(d.Index.ToString(), Markup.Escape(d.Name), d.Kind.ToString(), d.ApiVersion, d.Driver);
            AnsiConsole.Write(table);
            using var chosen = VulkanDevice.Open();
            AnsiConsole.MarkupLine($"default: [bold]{Markup.Escape(chosen.Name)}[/] (override with --device or {DeviceOptions.DeviceEnvVar})");
            return 0;
        });
        return command;
    }
}
