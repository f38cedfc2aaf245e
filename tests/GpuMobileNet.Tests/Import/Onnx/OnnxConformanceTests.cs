using GpuMobileNet.Import.Onnx.Conformance;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Onnx;

/// <summary>Every ONNX backend node test of Debian's libonnx-testdata on the GPU (rtol 1e-3, atol 1e-5): no case may
/// give a wrong answer or crash; a case with an op we do not claim must be refused at load naming that op; claimed
/// cases are refused only for a named attribute, shape or type we do not run (see `gmn conformance -v`).</summary>
public class OnnxConformanceTests : GpuTest
{
    /// <summary>Claimed-op cases passing when this test was written (ONNX 1.12 test data): fewer is a regression.</summary>
    private const int ClaimedPassing = 120;

    [Test]
    public void EveryNodeTestPassesOrIsRefusedByName()
    {
        if (!Directory.Exists(ConformanceRunner.DefaultDataDir))
            Assert.Fail($"{ConformanceRunner.DefaultDataDir} is missing: run scripts/setup (it installs libonnx-testdata)");
        var cases = ConformanceRunner.RunAll(Device);
        Assert.That(cases, Has.Count.GreaterThan(900), "the node test cases of ONNX 1.12");

        var wrong = cases.Where(c => c.Status is ConformanceStatus.Mismatch or ConformanceStatus.Crashed).Select(c => $"{c.Name}: {c.Status}: {c.Message}");
        Assert.That(wrong, Is.Empty, "wrong answers and crashes");
        // An unclaimed case may still pass (its other ops only build constants that are folded at load).
        var unnamed = cases.Where(c => !c.Claimed && c.Status == ConformanceStatus.Refused && !c.NamesAnOp).Select(c => $"{c.Name}: {c.Message}");
        Assert.That(unnamed, Is.Empty, "cases of ops we do not claim must be refused naming the op");
        var claimed = cases.Where(c => c.Claimed).ToList();
        int passed = claimed.Count(c => c.Status == ConformanceStatus.Passed);
        TestContext.Out.WriteLine($"claimed: {passed}/{claimed.Count} pass; overall {cases.Count(c => c.Status == ConformanceStatus.Passed)}/{cases.Count}");
        Assert.That(passed, Is.GreaterThanOrEqualTo(ClaimedPassing));
        // A refused claimed case names its node and op, like every load error.
        Assert.That(claimed.Where(c => c.Status == ConformanceStatus.Refused && !c.Message.Contains(c.Name + ".onnx: ")).Select(c => c.Name), Is.Empty);
    }
}
