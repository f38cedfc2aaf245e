using System.Text.Json;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>--json: the command's whole stdout is one JSON document a script can parse.</summary>
public class JsonOutputTests
{
    [Test]
    public void DevicesListsEveryDeviceAndTheDefault()
    {
        var r = GmnProcess.Run("devices", "--json");
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var devices = doc.RootElement.GetProperty("devices");
        Assert.That(devices.GetArrayLength(), Is.GreaterThan(0));
        var names = devices.EnumerateArray().Select(d => d.GetProperty("name").GetString()).ToList();
        Assert.That(names, Does.Contain(doc.RootElement.GetProperty("default").GetString()));
        Assert.That(devices[0].GetProperty("kind").GetString(), Is.AnyOf("cpu", "discreteGpu", "integratedGpu", "virtualGpu", "other"));
    }
}
