using System.Text.Json;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>`gmn bench --peer ncnn` and `gmn zoo --peer ncnn` end to end with a fake benchncnn (fixed times, every call
/// logged): the rounds interleave ours, ncnn Vulkan and ncnn CPU on the .param and our input shape, the ratios are our
/// median over ncnn's, and a model ours cannot load is a row saying so.</summary>
public class PeerCommandTests
{
    [Test]
    public void BenchInterleavesTheRoundsAndDividesByNcnn()
    {
        using var dir = new TempDir();
        var fake = new FakeBenchncnn(dir.Path, "run");
        File.WriteAllText(dir.File("net.param"), "7767517\n");
        var r = GmnProcess.Run("bench", "--model", "mobilenet_v1", "--alpha", "0.25", "--resolution", "64", "--runs", "2", "--warmup", "1",
            "--peer", "ncnn", "--peer-path", fake.Path, "--peer-param", dir.File("net.param"), "--rounds", "2", "--threads", "3", "--json", dir.File("out.json"));
        Assert.That(r.ExitCode, Is.Zero, r.StdErr + r.StdOut);

        string call = $"{dir.Path} wrapper 2 3 0";
        Assert.That(fake.Calls, Is.EqualTo(new[]
        {
            $"{call} 0 0 param=net.param shape=[64,64,3]", $"{call} -1 0 param=net.param shape=[64,64,3]",
            $"{call} 0 0 param=net.param shape=[64,64,3]", $"{call} -1 0 param=net.param shape=[64,64,3]",
        }));
        var c = JsonDocument.Parse(File.ReadAllText(dir.File("out.json"))).RootElement.GetProperty("comparison");
        double ours = c.GetProperty("oursMs").GetDouble();
        Assert.That(c.GetProperty("rounds").GetArrayLength(), Is.EqualTo(2));
        Assert.That(c.GetProperty("oursOverVulkan").GetDouble(), Is.EqualTo(ours / FakeBenchncnn.VulkanMs).Within(1e-9));
        Assert.That(c.GetProperty("oursOverCpu").GetDouble(), Is.EqualTo(ours / FakeBenchncnn.CpuMs).Within(1e-9));
        Assert.That(c.GetProperty("ncnnVulkanDevice").GetString(), Is.EqualTo("fake gpu (test)"));
        Assert.That(r.StdOut, Does.Contain("ncnn Vulkan (fake gpu (test))").And.Contain("ncnn CPU, 3 threads"));
        Assert.That(r.StdErr, Does.Contain("round 2/2"));
    }

    [Test]
    public void BenchFindsBenchncnnOnPathOrSaysItIsMissing()
    {
        using var dir = new TempDir();
        var fake = new FakeBenchncnn(dir.Path, "benchncnn");
        File.WriteAllText(dir.File("net.param"), "7767517\n");
        string[] args = ["bench", "--model", "mobilenet_v1", "--alpha", "0.25", "--resolution", "64", "--runs", "1", "--warmup", "0",
            "--peer", "ncnn", "--peer-param", dir.File("net.param"), "--rounds", "1"];
        string path = Environment.GetEnvironmentVariable("PATH") ?? "";

        var found = GmnProcess.RunWith(new Dictionary<string, string> { ["PATH"] = dir.Path + ":" + path }, args);
        var missing = GmnProcess.Run(args);

        Assert.That(found.ExitCode, Is.Zero, found.StdErr);
        Assert.That(fake.Calls, Has.Length.EqualTo(2).And.All.Contains(" direct 1 "));
        Assert.That(missing.ExitCode, Is.Not.Zero);
        Assert.That(missing.StdErr.Trim(), Does.StartWith("gmn: ").And.Contain("benchncnn not found on PATH: pass --peer-path"));
    }

    [TestCase("--peer", "onnxruntime", "--peer 'onnxruntime': the only peer is ncnn")]
    [TestCase("--peer", "ncnn", "--peer ncnn: --model is not an ncnn .param, so name the .param benchncnn runs with --peer-param")]
    [TestCase("--peer-param", "/no/such.param", "--peer-param '/no/such.param': no such file")]
    [TestCase("--rounds", "0", "--rounds must be between 1 and 1000, got 0")]
    public void BadPeerOptionsAreOneLineErrors(string option, string value, string message)
    {
        using var dir = new TempDir();
        var fake = new FakeBenchncnn(dir.Path, "run");
        var args = new List<string> { "bench", "--model", "mobilenet_v1", "--alpha", "0.25", "--resolution", "64", "--peer-path", fake.Path };
        if (option != "--peer") args.AddRange(["--peer", "ncnn"]);
        args.AddRange([option, value]);
        var r = GmnProcess.Run([.. args]);
        // Not the exact code: a command-line error exits 1 here and 2 once main's UsageException is merged in.
        Assert.That(r.ExitCode, Is.Not.Zero);
        Assert.That(r.StdErr.Trim(), Does.StartWith("gmn: ").And.EndWith(message).And.Not.Contain("\n"));
        Assert.That(fake.Calls, Is.Empty, "nothing ran");
    }

    /// <summary>FastestDet's .param declares no input size: zoo gives it benchncnn's default list's 352x352, bench the
    /// --input-size it is given, both to ours and to benchncnn.</summary>
    [Test]
    public void AParamWithoutAnInputSizeTakesBenchncnnsShapeOrTheGivenOne()
    {
        using var dir = new TempDir();
        var fake = new FakeBenchncnn(dir.Path, "run");
        Directory.CreateDirectory(dir.File("params"));
        File.WriteAllText(dir.File("params/FastestDet.param"), "7767517\n2 2\nInput in0 0 1 in0\nConvolution conv 1 1 in0 out 0=2 1=1 5=1 6=6\n");
        var zoo = GmnProcess.Run("zoo", "--peer", "ncnn", "--peer-path", fake.Path, "--runs", "1", "--rounds", "1", "--markdown");
        var bench = GmnProcess.Run("bench", "--model", dir.File("params/FastestDet.param"), "--input-size", "40x48", "--runs", "1", "--warmup", "0",
            "--batches", "1", "--no-layers", "--no-variants", "--no-ort", "--peer", "ncnn", "--peer-path", fake.Path, "--rounds", "1");

        Assert.That(zoo.ExitCode, Is.Zero, zoo.StdErr + zoo.StdOut);
        Assert.That(bench.ExitCode, Is.Zero, bench.StdErr + bench.StdOut);
        Assert.That(zoo.StdOut, Does.Contain("| FastestDet | 3x352x352 |"));
        Assert.That(fake.Calls, Has.Exactly(2).EndsWith("param=FastestDet.param shape=[352,352,3]"));
        Assert.That(fake.Calls, Has.Exactly(2).EndsWith("param=FastestDet.param shape=[48,40,3]"));
    }

    [Test]
    public void ZooShowsEveryParamAndWhyOursCannotRunOne()
    {
        using var dir = new TempDir();
        var fake = new FakeBenchncnn(dir.Path, "run");
        Directory.CreateDirectory(dir.File("params"));
        // One network ours imports (a 3x3 convolution with ReLU), one it refuses by name (attention).
        File.WriteAllText(dir.File("params/mobilenet.param"),
            "7767517\n2 2\nInput data 0 1 data 0=64 1=64 2=3\nConvolution conv 1 1 data out 0=8 1=3 4=1 5=1 6=216 9=1\n");
        File.WriteAllText(dir.File("params/odd.param"), "7767517\n2 2\nInput data 0 1 data 0=48 1=32 2=1\nMultiHeadAttention mha 1 1 data out\n");
        var r = GmnProcess.Run("zoo", "--peer", "ncnn", "--peer-path", fake.Path, "--runs", "2", "--rounds", "1", "--markdown",
            "--json", dir.File("zoo.json"));
        Assert.That(r.ExitCode, Is.Zero, r.StdErr + r.StdOut);

        var rows = JsonDocument.Parse(File.ReadAllText(dir.File("zoo.json"))).RootElement.EnumerateArray().ToList();
        Assert.That(rows.Select(row => row.GetProperty("model").GetString()), Is.EqualTo(new[] { "mobilenet", "odd" }));
        var ours = rows[0].GetProperty("comparison");
        Assert.That(ours.GetProperty("oursOverCpu").GetDouble(), Is.EqualTo(ours.GetProperty("oursMs").GetDouble() / FakeBenchncnn.CpuMs).Within(1e-9));
        double gflops = 2.0 * rows[0].GetProperty("multiplyAdds").GetInt64() / ours.GetProperty("oursMs").GetDouble() / 1e6;
        Assert.That(rows[0].GetProperty("oursGflops").GetDouble(), Is.EqualTo(gflops).Within(1e-9));
        Assert.That(rows[1].GetProperty("note").GetString(), Does.StartWith("not imported: "));
        Assert.That(rows[1].GetProperty("comparison").GetProperty("ncnnCpuMs").GetDouble(), Is.EqualTo(FakeBenchncnn.CpuMs));
        Assert.That(fake.Calls, Has.Some.EndsWith("param=odd.param shape=[48,32,1]"));
        Assert.That(r.StdOut, Does.Contain("| odd | 1x32x48 |").And.Contain("| mobilenet | 3x64x64 |"));
        Assert.That(r.StdErr, Does.Contain("[2/2] odd.param"));
    }
}
