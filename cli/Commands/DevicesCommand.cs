using System.CommandLine;
using GpuMobileNet.Vulkan;
using Spectre.Console;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn devices: the Vulkan devices this machine offers, and which one is chosen by default.</summary>
internal static class DevicesCommand
{
    public static Command Create()
    {
        // Hidden: raises one validation message on purpose, so scripts/device-check and the tests can prove that
        // messages are printed and fail the command (run with GMN_VALIDATION=1).
        var provoke = new Option<bool>("--provoke-validation-message") { Hidden = true };
        var json = JsonOutput.Create();
        var command = new Command("devices", "list Vulkan devices") { provoke, json };
        command.SetAction(r =>
        {
            var devices = VulkanDevice.ListDevices();
            if (r.GetValue(json))
            {
                using var picked = CliDevice.Open(null);
                if (r.GetValue(provoke)) picked.ProvokeValidationMessage();
                JsonOutput.Write(new { devices, @default = picked.Name });
                return 0;
            }
            var table = new Table().AddColumns("index", "name", "kind", "Vulkan", "driver");
            foreach (var d in devices)
                table.AddRow(d.Index.ToString(), Markup.Escape(d.Name), d.Kind.ToString(), d.ApiVersion, d.Driver);
            AnsiConsole.Write(table);
            using var chosen = CliDevice.Open(null);
            if (r.GetValue(provoke)) chosen.ProvokeValidationMessage();
            AnsiConsole.MarkupLine($"default: [bold]{Markup.Escape(chosen.Name)}[/] (override with --device or {DeviceOptions.DeviceEnvVar})");
            return 0;
        });
        return command;
    }
}
