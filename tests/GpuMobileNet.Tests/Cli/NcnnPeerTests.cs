using GpuMobileNet.Cli;
using GpuMobileNet.Cli.Bench;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>The benchncnn runner: reading its output and its failures, finding it, calling it as ncnn's peer wrapper or
/// directly, and the interleaving and ratio arithmetic of the rounds.</summary>
public class NcnnPeerTests
{
    private const string Output = """
        [0 llvmpipe (LLVM 15.0.6, 256 bits)]  queueC=0[1]  queueT=0[1]  rebar=1  r-score=4
        [0 llvmpipe (LLVM 15.0.6, 256 bits)]  fp16-p/s/u/a=1/1/1/1  int8-p/s/u/a=1/1/1/1  bf16-p/s=1/0
        loop_count = 2
        num_threads = 1
        gpu_device = 0
         shufflenet_v2.param  min =  632.56  max =  842.48  avg =  737.52
        """;

    [Test]
    public void TheTimingLineAndTheDeviceAreRead()
    {
        var t = NcnnPeer.Parse(Output, "shufflenet_v2.param");
        Assert.That((t.MinMs, t.MaxMs, t.AvgMs, t.Device), Is.EqualTo((632.56, 842.48, 737.52, "llvmpipe (LLVM 15.0.6, 256 bits)")));
        Assert.That(NcnnPeer.Parse("loop_count = 2\n   x.param  min =    0.00  max =    0.00  avg =    0.00\n", "x.param").Device, Is.Null);
    }

    [TestCase("fopen nonexist.param failed\nnetwork graph not ready\n      nonexist.param  min =    0.00  max =    0.00  avg =    0.00", "fopen nonexist.param failed")]
    [TestCase("input tensor shape empty!\n", "input tensor shape empty!")]
    [TestCase("loop_count = 2\n other.param  min = 1.00  max = 1.00  avg = 1.00\n", "no timing line")]
    [TestCase("", "no timing line")]
    public void ItsFailuresAreErrorsNamingThem(string output, string expected)
    {
        var e = Assert.Throws<InvalidOperationException>(() => NcnnPeer.Parse(output, "nonexist.param"));
        Assert.That(e!.Message, Does.Contain(expected).And.Contain("nonexist.param"));
    }

    [Test]
    public void AMissingPeerPathIsOneClearError()
    {
        var e = Assert.Throws<UsageException>(() => NcnnPeer.Locate("/no/such/benchncnn"));
        Assert.That(e!.Message, Does.StartWith("--peer-path '/no/such/benchncnn': no such file"));
    }

    [TestCase("benchncnn", "direct")]
    [TestCase("run", "wrapper")]
    public void ItRunsFromTheParamsFolderWithItsArguments(string name, string via)
    {
        using var dir = new TempDir();
        var fake = new FakeBenchncnn(dir.Path, name);
        Directory.CreateDirectory(dir.File("params"));
        File.WriteAllText(dir.File("params/tiny.param"), "7767517\n");

        var cpu = NcnnPeer.Locate(fake.Path).Run(dir.File("params/tiny.param"), (40, 30, 3), -1, 7, 2);
        var vulkan = NcnnPeer.Locate(fake.Path).Run(dir.File("params/tiny.param"), null, 0, 7, 2);

        Assert.That((cpu.AvgMs, cpu.Device, vulkan.AvgMs, vulkan.Device), Is.EqualTo((FakeBenchncnn.CpuMs, (string?)null, FakeBenchncnn.VulkanMs, "fake gpu (test)")));
        Assert.That(fake.Calls, Is.EqualTo(new[]
        {
            $"{dir.File("params")} {via} 7 2 0 -1 0 param=tiny.param shape=[40,30,3]",
            $"{dir.File("params")} {via} 7 2 0 0 0 param=tiny.param",
        }));
    }

    [Test]
    public void RoundsInterleaveOursVulkanCpuAndTakeMedians()
    {
        var order = new List<string>();
        double[] ours = [10, 30, 20], vulkan = [40, 60, 50], cpu = [5, 4, 100];
        int o = 0, v = 0, c = 0;
        var result = PeerRounds.Run(3,
            () => { order.Add("ours"); return ours[o++]; },
            () => { order.Add("vulkan"); return new NcnnTiming(0, 0, vulkan[v++], "dev"); },
            () => { order.Add("cpu"); return new NcnnTiming(0, 0, cpu[c++], null); });

        Assert.That(order, Is.EqualTo(new[] { "ours", "vulkan", "cpu", "ours", "vulkan", "cpu", "ours", "vulkan", "cpu" }));
        Assert.That((result.OursMs, result.NcnnVulkanMs, result.NcnnCpuMs, result.NcnnVulkanDevice), Is.EqualTo(((double?)20, 50.0, 5.0, "dev")));
        Assert.That(result.OursOverVulkan, Is.EqualTo(0.4).Within(1e-12));
        Assert.That(result.OursOverCpu, Is.EqualTo(4.0).Within(1e-12));
    }

    /// <summary>benchncnn warms up in every round (a fresh process each), so ours does too: each round of ours runs the
    /// warm-up and the timed runs again.</summary>
    [Test]
    public void OursWarmsUpEveryRoundAsBenchncnnDoes()
    {
        int calls = 0;
        var perRound = new List<int>();
        PeerRounds.Run(2, PeerRounds.Ours(() => calls++, PeerRounds.BenchncnnVulkanWarmup, 4),
            () => { perRound.Add(calls); return new NcnnTiming(0, 0, 1, null); }, () => new NcnnTiming(0, 0, 1, null));

        Assert.That(perRound, Is.EqualTo(new[] { 14, 28 }), "10 untimed + 4 timed runs in each round");
    }

    [Test]
    public void WithoutOursOrWithAZeroPeerTimeThereIsNoRatio()
    {
        var result = PeerRounds.Run(1, null, () => new NcnnTiming(0, 0, 0, null), () => new NcnnTiming(0, 0, 3, null));
        Assert.That((result.OursMs, result.OursOverVulkan, result.OursOverCpu), Is.EqualTo(((double?)null, (double?)null, (double?)null)));
        var zero = PeerRounds.Run(1, () => 2, () => new NcnnTiming(0, 0, 0, null), () => new NcnnTiming(0, 0, 4, null));
        Assert.That((zero.OursOverVulkan, zero.OursOverCpu), Is.EqualTo(((double?)null, (double?)0.5)));
    }

    [Test]
    public void RealBenchncnnRunsATinyParamOnBothPaths()
    {
        string run = GpuMobileNet.Tests.Detection.Host.NcnnReference.RunScript;
        using var dir = new TempDir();
        File.WriteAllText(dir.File("tiny.param"),
            "7767517\n3 3\nInput data 0 1 data 0=16 1=16 2=3\nConvolution conv 1 1 data c 0=8 1=3 4=1 5=1 6=216\nReLU relu 1 1 c out\n");
        var peer = NcnnPeer.Locate(run);

        var cpu = peer.Run(dir.File("tiny.param"), (16, 16, 3), -1, 2, 1);
        var vulkan = peer.Run(dir.File("tiny.param"), (16, 16, 3), 0, 2, 1);

        Assert.That(cpu.AvgMs, Is.GreaterThanOrEqualTo(0).And.LessThanOrEqualTo(cpu.MaxMs));
        Assert.That(cpu.Device, Is.Null);
        Assert.That(vulkan.Device, Is.Not.Null.And.Not.Empty, "benchncnn names the Vulkan device it ran on");
        Assert.That(() => peer.Run(dir.File("missing.param"), (16, 16, 3), -1, 1, 1),
            Throws.InvalidOperationException.With.Message.Contains("missing.param"));
    }
}
