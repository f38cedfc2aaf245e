using System.Diagnostics;
using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Import;
using GpuMobileNet.Import.Onnx;
using GpuMobileNet.Models;
using GpuMobileNet.Tests;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Onnx;

/// <summary>Seeded mutations of real model bytes: every case must end in a valid load or a ModelLoadException,
/// never another exception, a hang or a crash.</summary>
public class OnnxFuzzTests
{
    private const int Cases = 1200;
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(60); // a hang guard

    /// <summary>Models whose bytes are mutated: the real models of scripts/setup (PaddleOCR's classifier with its
    /// shape arithmetic and SE blocks, BlazeFace with its NHWC input and four outputs) and exported built-ins.</summary>
    private static List<(byte[] Bytes, OnnxImportOptions Options)> Seeds()
    {
        string cache = Path.Combine(TestPaths.Cache, "onnx");
        string cls = Path.Combine(cache, "ppocr", "ch_ppocr_mobile_v2.0_cls_infer.onnx"), face = Path.Combine(cache, "blazeface", "face_detection_front_128x128_barracuda.onnx");
        if (!File.Exists(cls) || !File.Exists(face)) Assert.Fail($"{cache} is missing models: run scripts/setup");
        return
        [
            (File.ReadAllBytes(cls), new OnnxImportOptions { InputHeight = 48, InputWidth = 192 }),
            (File.ReadAllBytes(face), new OnnxImportOptions()),
            (OnnxExporter.ToBytes(MobileNetV2.Create(0.35, 32, 3, WeightInit.Random(2))), new OnnxImportOptions()),
        ];
    }

    [Test]
    public void MutatedModelsLoadOrFailCleanly()
    {
        var seeds = Seeds();
        var rng = new Random(20261202);
        int loaded = 0, refused = 0;
        var slowest = TimeSpan.Zero;
        for (int i = 0; i < Cases; i++)
        {
            var (source, options) = seeds[i % seeds.Count];
            var (bytes, how) = Mutate(source, rng);
            var watch = Stopwatch.StartNew();
            var task = Task.Run(() =>
            {
                try
                {
                    OnnxImporter.Load(bytes, $"case{i}.onnx", options);
                    return true;
                }
                catch (ModelLoadException e) when (!e.Message.Contains('\n'))
                {
                    return false;
                }
            });
            if (!task.Wait(PerCase))
                Assert.Fail($"case {i} ({how}) did not finish within {PerCase.TotalSeconds} s");
            if (task.IsFaulted)
                Assert.Fail($"case {i} ({how}) threw {task.Exception!.InnerException}");
            if (task.Result) loaded++; else refused++;
            if (watch.Elapsed > slowest) slowest = watch.Elapsed;
        }
        TestContext.Out.WriteLine($"{Cases} cases: {loaded} loaded, {refused} refused; slowest {slowest.TotalMilliseconds:F0} ms");
        Assert.That(refused, Is.GreaterThan(Cases / 10), "mutations should break most structures");
    }

    /// <summary>One mutation; positions lean towards the start of the file, where the exporter writes the nodes
    /// (GraphProto field 1), and the end, where the inputs and outputs are: the weights in between rarely matter.</summary>
    private static (byte[] Bytes, string How) Mutate(byte[] source, Random rng)
    {
        int Pos(int length) => rng.Next(4) switch
        {
            0 => rng.Next(Math.Min(length, 4096)),
            1 => Math.Max(0, length - 1 - rng.Next(Math.Min(length, 512))),
            _ => rng.Next(length),
        };
        var b = source.ToArray();
        int kind = rng.Next(6);
        int p = Pos(b.Length);
        switch (kind)
        {
            case 0:
                int flips = 1 + rng.Next(8);
                for (int k = 0; k < flips; k++) b[Pos(b.Length)] ^= (byte)(1 << rng.Next(8));
                return (b, $"{flips} bit flips");
            case 1:
                b[p] = (byte)rng.Next(256);
                return (b, $"byte {p} = {b[p]}");
            case 2:
                return (b[..p], $"truncated at {p}");
            case 3:
                // A large varint where a length or a dimension was.
                b[p] = 0xFF;
                if (p + 1 < b.Length) b[p + 1] = 0xFF;
                if (p + 2 < b.Length) b[p + 2] = 0x7F;
                return (b, $"varint at {p}");
            case 4:
                int len = 1 + rng.Next(64);
                var insert = new byte[len];
                rng.NextBytes(insert);
                return ([.. b[..p], .. insert, .. b[p..]], $"{len} random bytes inserted at {p}");
            default:
                int from = Pos(b.Length), count = Math.Min(1 + rng.Next(256), b.Length - from);
                return ([.. b[..p], .. b.AsSpan(from, count), .. b[p..]], $"{count} bytes from {from} duplicated at {p}");
        }
    }
}
