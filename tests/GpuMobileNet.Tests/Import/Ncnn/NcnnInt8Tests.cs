using GpuMobileNet.Import.Ncnn;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Ncnn;

/// <summary>benchncnn's _int8 models run dequantised here (weights = level / scale, activations in fp32), while ncnn's
/// CPU path quantises every convolution's input to int8 as well: outputs agree only as far as that quantisation allows.
/// With the same seeded int8 weights (activation scales fixed at 127 / 4, so large activations clip in ncnn) and input,
/// the two outputs must correlate above 0.9 whichever way our weights are stored, the model must say it runs
/// dequantised, and its 1x1 convolutions must read their weights as int8 (Kernels/Int8Weights.cs) exactly where the
/// kernel choice keeps them (by default on GPUs only; forced here both ways on two models).</summary>
public class NcnnInt8Tests : GpuTest
{
    [TestCase("squeezenet_int8", 67, 67, null)]
    [TestCase("squeezenet_int8", 67, 67, true)]
    [TestCase("mobilenet_int8", 64, 64, null)]
    [TestCase("mobilenet_int8", 64, 64, false)]
    [TestCase("mobilenet_int8", 64, 64, true)]
    [TestCase("resnet50_int8", 200, 200, null)]
    [TestCase("resnet18_int8", 200, 200, null)]
    [TestCase("mobilenet_ssd_int8", 300, 300, null)] // a detector: compared at its network's outputs, the host layers' inputs
    [TestCase("squeezenet_ssd_int8", 300, 300, null)]
    public void RunsDequantisedCloseToNcnnsInt8Path(string model, int w, int h, bool? int8Weights)
    {
        using var dir = new TempDir();
        var param = NcnnPeer.Param(model);
        var (bin, inputFile, input) = NcnnPeer.Prepare(dir, param, 3, w, h, 1);
        var imported = NcnnImporter.Load(param, bin, new NcnnImportOptions { InputWidth = w, InputHeight = h });
        Assert.That(imported.IsInt8 && imported.Describe().Contains("dequantised"), Is.True, imported.Describe());
        var outputs = imported.HostSteps.Count > 0 ? imported.Graph.Outputs.Select(o => o.Name).ToList() : null;
        var expected = NcnnPeer.Run(param, bin, inputFile, w, h, 3, outputs);
        var choice = new KernelChoice(Int8Weights: int8Weights);
        using var session = InferenceSession.Create(imported.Graph, Device, new SessionOptions { Kernels = choice });
        bool keeps = choice.KeepsInt8Weights(Device.Kind);
        Assert.That(session.Dispatches.Any(d => d.Constants is PointwiseConvPackedConstants { Int8Weights.Word: 1 }), Is.EqualTo(keeps),
            $"1x1 convolutions read int8 weights on {Device.Kind} with Int8Weights={int8Weights?.ToString() ?? "auto"}");
        var actual = session.Run(new Dictionary<string, float[]> { [imported.Graph.Input.Name] = input });
        foreach (var (name, want) in expected)
        {
            double correlation = Correlation(actual[name], want);
            double worst = actual[name].Zip(want, (a, b) => Math.Abs(a - b)).Max() / (want.Max() - want.Min());
            TestContext.Out.WriteLine($"{model} '{name}': correlation {correlation:F4} with ncnn's int8 output, largest difference {worst:P1} of the range");
            Assert.That(correlation, Is.GreaterThan(0.9), $"{model} '{name}': ours (dequantised) vs ncnn (int8)");
        }
    }

    private static double Correlation(float[] a, float[] b)
    {
        double ma = a.Average(), mb = b.Average(), ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }
        return ab / Math.Sqrt(aa * bb);
    }
}
