using System.Text.Json.Nodes;
using GpuMobileNet.Imaging;
using GpuMobileNet.Import.Tfjs;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Hardening;

/// <summary>Fuzzing as a test: seeded mutations of the real nsfwjs model.json (with its real weights), of a small
/// quantised model's weights and manifest, and of the sample photos. Every case must end in a clean load or decode
/// or a documented one-line bad-input exception (<see cref="InvalidInputException"/>: ModelLoadException,
/// ImageLoadException, InvalidGraphException, InputFileException), within a time limit and a memory bound. A
/// finding prints the seed that reproduces it. Load and decode only: no GPU per case.</summary>
[NonParallelizable]
public class FuzzTests
{
    private const int Seed = 20261202;
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(60); // hang guards, far above a busy machine's time
    private static readonly TimeSpan Whole = TimeSpan.FromMinutes(15);

    /// <summary>Process-wide peak resident memory must stay under this during a fuzz test (Linux: VmHWM, reset first).</summary>
    private const long PeakRssBound = 3L << 30;

    private static readonly JsonNode[] Interesting =
    [
        null!, 0, -1, 1, 2.5, 1e300, -1e300, 2147483648L, 99999999999L, 65536, "", "x", "../../../etc/passwd", "/dev/zero",
        "same", "float16", "uint16", true,
    ];

    private static JsonNode? InterestingValue(Random rng) => rng.Next(Interesting.Length + 4) switch
    {
        var i when i < Interesting.Length => Interesting[i]?.DeepClone(),
        var i when i == Interesting.Length => new JsonArray(),
        var i when i == Interesting.Length + 1 => new JsonObject(),
        var i when i == Interesting.Length + 2 => new JsonArray(new JsonArray()),
        _ => new JsonArray(5),
    };

    /// <summary>Replaces, removes or duplicates one randomly chosen value of the tree under <paramref name="root"/>.</summary>
    private static void MutateTree(Random rng, JsonNode root)
    {
        var slots = new List<(JsonNode Parent, string? Key, int Index)>();
        var pending = new Stack<JsonNode>([root]);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (node is JsonObject o)
                foreach (var (k, v) in o)
                {
                    // Keras initializer/regularizer/constraint settings are training-only and never read: edits there
                    // would only spend a full load each on nothing.
                    if (k.EndsWith("_initializer", StringComparison.Ordinal) || k.EndsWith("_regularizer", StringComparison.Ordinal)
                        || k.EndsWith("_constraint", StringComparison.Ordinal)) continue;
                    slots.Add((o, k, -1));
                    if (v is not null) pending.Push(v);
                }
            else if (node is JsonArray a)
                for (int i = 0; i < a.Count; i++) { slots.Add((a, null, i)); if (a[i] is { } v) pending.Push(v); }
        }
        if (slots.Count == 0) return;
        int edits = rng.Next(1, 3);
        for (int e = 0; e < edits; e++)
        {
            var (parent, key, index) = slots[rng.Next(slots.Count)];
            if (parent is JsonObject obj && key is not null && obj.ContainsKey(key))
            {
                if (rng.Next(4) == 0) obj.Remove(key);
                else obj[key] = InterestingValue(rng);
            }
            else if (parent is JsonArray arr && index < arr.Count)
            {
                int r = rng.Next(4);
                if (r == 0) arr.RemoveAt(index);
                else if (r == 1) arr.Insert(index, arr[index]?.DeepClone());
                else arr[index] = InterestingValue(rng);
            }
        }
    }

    private static void ResetPeakRss()
    {
        if (OperatingSystem.IsLinux()) File.WriteAllText("/proc/self/clear_refs", "5");
    }

    private static void AssertPeakRss(string what)
    {
        if (!OperatingSystem.IsLinux()) return;
        var line = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        long kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"{what}: peak RSS {kb / 1024} MiB");
        Assert.That(kb * 1024, Is.LessThan(PeakRssBound), $"{what}: peak resident memory");
    }

    [Test]
    public void MutatedNsfwjsModelJson([Values(1000)] int cases)
    {
        using var dir = new TempDir();
        var source = File.ReadAllBytes(TestPaths.NsfwjsModelJson);
        File.Copy(Path.Combine(Path.GetDirectoryName(TestPaths.NsfwjsModelJson)!, "group1-shard1of1.bin"), dir.File("group1-shard1of1.bin"));
        var tree = JsonNode.Parse(source)!;
        string path = dir.File("model.json");
        ResetPeakRss();
        new Fuzzer("model.json", PerCase, 1L << 30, Whole).Run(cases, Seed, (rng, i) =>
        {
            if (i % 2 == 0)
            {
                File.WriteAllBytes(path, Fuzzer.MutateBytes(rng, source));
            }
            else
            {
                var copy = tree.DeepClone();
                MutateTree(rng, copy);
                File.WriteAllText(path, copy.ToJsonString());
            }
            TfjsLayersImporter.Load(path);
        });
        AssertPeakRss("model.json");
    }

    /// <summary>A small MobileNetV2-like model with every layer class the importer reads.</summary>
    private static SyntheticTfjs SmallModel()
    {
        var rng = new Random(5);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var m = new SyntheticTfjs(9, 9, 3);
        m.Add("pad", "ZeroPadding2D", new JsonObject { ["padding"] = JsonNode.Parse("[[0, 1], [0, 1]]") });
        m.Weight("stem/kernel", [3, 3, 3, 8], Values(216));
        m.Add("stem", "Conv2D", new JsonObject { ["filters"] = 8, ["kernel_size"] = 3, ["strides"] = 2, ["padding"] = "valid", ["use_bias"] = false });
        var c = m;
        // ZeroPadding2D of 9x9 → 10x10, valid 3x3 stride 2 → 4x4, 8 channels.
        c.Weight("stem_bn/gamma", [8], Values(8).Select(v => v + 1).ToArray());
        c.Weight("stem_bn/beta", [8], Values(8));
        c.Weight("stem_bn/moving_mean", [8], Values(8));
        c.Weight("stem_bn/moving_variance", [8], Values(8).Select(v => v + 1).ToArray());
        c.Add("stem_bn", "BatchNormalization", new JsonObject { ["axis"] = -1, ["epsilon"] = 1e-3 });
        c.Add("stem_relu", "ReLU", new JsonObject { ["max_value"] = 6.0 });
        c.Weight("dw/depthwise_kernel", [3, 3, 8, 1], Values(72));
        c.Weight("dw/bias", [8], Values(8));
        c.Add("dw", "DepthwiseConv2D", new JsonObject { ["kernel_size"] = new JsonArray(3, 3), ["strides"] = new JsonArray(1, 1), ["padding"] = "same", ["activation"] = "relu6" });
        c.Weight("pw/kernel", [1, 1, 8, 8], Values(64));
        c.Weight("pw/bias", [8], Values(8));
        c.Add("pw", "Conv2D", new JsonObject { ["filters"] = 8, ["kernel_size"] = 1, ["strides"] = 1, ["padding"] = "valid" });
        c.Add("add", "Add", new JsonObject(), "stem_relu", "pw");
        c.Add("pool", "AveragePooling2D", new JsonObject { ["pool_size"] = new JsonArray(4, 4), ["padding"] = "valid" });
        c.Add("drop", "Dropout", new JsonObject { ["rate"] = 0.5 });
        c.Add("flat", "Flatten", new JsonObject());
        c.Weight("fc/kernel", [8, 5], Values(40));
        c.Weight("fc/bias", [5], Values(5));
        c.Add("fc", "Dense", new JsonObject { ["units"] = 5, ["activation"] = "softmax" });
        return c;
    }

    [Test]
    public void MutatedWeightsAndManifest([Values(1000)] int cases)
    {
        using var dir = new TempDir();
        var model = SmallModel();
        var (quantJson, quantBytes) = model.Quantized();
        var (floatJson, floatBytes) = (model.Json(), model.WeightBytes());
        Assert.That(TfjsLayersImporter.Load(model.WriteTo(dir, quantJson, quantBytes)).Nodes, Has.Count.GreaterThan(8), "the unmutated model loads");
        new Fuzzer("weights", PerCase, 64L << 20, Whole).Run(cases, Seed + 1_000_000, (rng, i) =>
        {
            bool quantised = i % 2 == 0;
            var json = (quantised ? quantJson : floatJson).DeepClone().AsObject();
            var bytes = quantised ? quantBytes : floatBytes;
            if (i % 4 < 2) bytes = Fuzzer.MutateBytes(rng, bytes);
            else MutateTree(rng, json["weightsManifest"]!);
            TfjsLayersImporter.Load(model.WriteTo(dir, json, bytes));
        });
    }

    [Test]
    public void MutatedPhotos([Values(1000)] int cases)
    {
        using var dir = new TempDir();
        string[] names = ["chelsea.png", "coffee.png", "astronaut.png", "camera.png", "rocket.jpg"];
        var photos = names.Select(n => File.ReadAllBytes(TestPaths.Photo(n))).ToArray();
        ResetPeakRss();
        new Fuzzer("photos", PerCase, 512L << 20, Whole).Run(cases, Seed + 2_000_000, (rng, i) =>
        {
            var source = photos[i % photos.Length];
            byte[] bytes = (i / photos.Length % 3) switch
            {
                0 => Fuzzer.MutateBytes(rng, source),
                1 => Fuzzer.MutateBytes(rng, source, protectPrefix: 8), // keep the signature so the decoder runs
                _ => MutateDimensions(rng, source),
            };
            string path = dir.File("photo" + Path.GetExtension(names[i % photos.Length]));
            File.WriteAllBytes(path, bytes);
            var img = ImageLoader.Load(path);
            Assert.That(img.Pixels, Has.Length.EqualTo(img.Width * img.Height * 3));
        });
        AssertPeakRss("photos");
    }

    /// <summary>Sets the width and height a PNG's IHDR or a JPEG's SOF claims to random sizes, small to huge.</summary>
    private static byte[] MutateDimensions(Random rng, byte[] source)
    {
        var b = (byte[])source.Clone();
        int Dim() => rng.Next(4) switch { 0 => rng.Next(1, 64), 1 => rng.Next(1, 20000), 2 => rng.Next(), _ => 0 };
        if (b[0] == 0x89) // PNG: IHDR data starts at byte 16
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), Dim());
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(20), Dim());
            return b;
        }
        for (int i = 2; i + 9 < b.Length; i++) // JPEG: first SOF0/SOF2 segment holds height, width at +5, +7
            if (b[i] == 0xFF && b[i + 1] is 0xC0 or 0xC2)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(i + 5), (ushort)Dim());
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(i + 7), (ushort)Dim());
                break;
            }
        return b;
    }
}
