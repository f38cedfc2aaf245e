using GpuMobileNet.Graph;
using GpuMobileNet.Imaging;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Vulkan;
using GpuMobileNet.Vulkan;
using NUnit.Framework;
using Silk.NET.Vulkan;

namespace GpuMobileNet.Tests.Session;

/// <summary>The one way to run: every source (host floats, RGBA8 frames of odd sizes, the host's VkBuffer, the host's
/// BGRA8 VkImages) x batch 1 and 3 x the main output and an extra one (the pooled features) against the CPU oracle, in a
/// session that runs its batch whole and in one that runs it as sub-batches with staged memory; sinks are host floats
/// (scores), a host buffer at an odd offset (features) and the device (read back with CopyOutput). The host owns the
/// device (validation on), as a game engine would.</summary>
public unsafe class IoBindingSourceTests
{
    public enum Source { HostFloats, Frames, HostBuffer, HostImages }

    // Large enough that one sample's activations outweigh the (padded) weights, which must fit the same storage range.
    private const int Height = 67, Width = 61;
    private HostVulkan _host = null!;

    [OneTimeSetUp]
    public void CreateHost() => _host = new HostVulkan();

    [TearDown]
    public void NoValidationMessages()
    {
        var seen = _host.TakeMessages();
        Assert.That(seen, Is.Empty, "validation messages:\n" + string.Join("\n", seen));
    }

    [OneTimeTearDown]
    public void DestroyHost() => _host.Dispose();

    /// <summary>conv 3x3 s2 (ReLU) → depthwise 3x3 → global pool → flatten ("features", an extra output) → dense ("scores").</summary>
    internal static ModelGraph Classifier()
    {
        var b = new GraphBuilder("sources", new TensorShape(3, Height, Width), "image");
        var conv = b.Conv2d("conv", b.Input, 8, 3, 2, Padding.Symmetric(1), 1, GpuVsCpu.RandomArray(8 * 3 * 9, 1, 0.5f), GpuVsCpu.RandomArray(8, 2, 0.1f), Activation.Relu);
        var dw = b.Conv2d("dw", conv, 8, 3, 1, Padding.Symmetric(1), 8, GpuVsCpu.RandomArray(8 * 9, 3, 0.5f));
        var features = b.Flatten("features", b.GlobalAvgPool("pool", dw));
        return b.Build(b.Dense("scores", features, 5, GpuVsCpu.RandomArray(5 * 8, 4, 0.5f), GpuVsCpu.RandomArray(5, 5, 0.1f))).WithExtraOutputs("features");
    }

    [Test]
    public void EverySourceAndBatchMatchesTheOracle([Values] Source source, [Values(1, 3)] int batch)
    {
        using var device = _host.Adopt();
        RunAndCompare(device, source, batch, expectSubBatch: false);
    }

    /// <summary>Batch 3 in sub-batches of 2 (the storage range set to a 2-sample arena), staged memory: each sub-batch's
    /// slice of every source goes in and of every output comes out, the short last one included, in one submission.</summary>
    [Test]
    public void SubBatchedStagedSessionRunsEverySource([Values] Source source)
    {
        long arena2;
        using (var probe = _host.Adopt())
        using (var two = InferenceSession.Create(Classifier(), probe, new SessionOptions { Batch = 2, Warmup = false }))
            arena2 = two.ArenaBytes;
        using var device = _host.Adopt(memoryMode: DeviceMemoryMode.Staged, maxStorageBufferRange: (ulong)arena2);
        RunAndCompare(device, source, 3, expectSubBatch: true);
    }

    /// <summary>With every dispatch profiled, the result lists the preprocessing kernel once per frame before the network's
    /// dispatches (the kernel under test ran), and the stage times split there.</summary>
    [Test]
    public void ProfiledRunListsThePreprocessingOfEachFrame()
    {
        using var device = _host.Adopt();
        using var session = InferenceSession.Create(Classifier(), device, new SessionOptions { Batch = 2, Profiling = true });
        var frame = Frame(30, 20, 9);
        using var binding = session.CreateIoBinding().BindOutput("scores", new float[session.OutputLength]);
        for (int s = 0; s < 2; s++) binding.BindFrame("image", s, GpuMobileNet.Teach.FeatureExtractor.ToRgba(frame), 30, 20);
        var result = session.Run(binding);
        Assume.That(device.SupportsTimestamps, "timestamps");
        Assert.That(result.Layers.Select(l => l.Kernel).Take(3), Is.EqualTo(new[] { "preprocess_rgba8", "preprocess_rgba8", session.Dispatches[0].Shader }));
        Assert.That(result.Layers, Has.Count.EqualTo(2 + session.Dispatches.Count));
        Assert.That(result.InputGpuMs, Is.EqualTo(result.Layers.Take(2).Sum(l => l.Milliseconds)).Within(1e-9));
        Assert.That(result.NetworkGpuMs, Is.GreaterThan(0));
    }

    [Test]
    public void BadSourcesAndSinksAreNamed()
    {
        using var device = _host.Adopt();
        using var session = InferenceSession.Create(Classifier(), device, new SessionOptions { Batch = 2 });
        using var binding = session.CreateIoBinding().BindFrame("image", 0, new byte[4 * 6 * 5], 6, 5);
        Assert.That(() => session.Run(binding), Throws.InvalidOperationException.With.Message.Contains("no frame or image for sample 1"));
        Assert.That(() => binding.BindFrame("image", 2, new byte[4], 1, 1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("batch 2"));
        Assert.That(() => binding.BindFrame("image", 1, new byte[7], 6, 5), Throws.ArgumentException.With.Message.Contains("6x5 frame has 120 bytes, got 7"));
        Assert.That(() => binding.BindFrame("picture", 1, new byte[4], 1, 1), Throws.ArgumentException.With.Message.Contains("no input 'picture'"));
        Assert.That(() => binding.BindFrame("image", 1, new byte[4], 0, 1), Throws.ArgumentException.With.Message.Contains("each side must be"));
        Assert.That(() => binding.BindInput("image", new float[3]), Throws.ArgumentException.With.Message.Contains("input 'image' has 3 values"));
        Assert.That(() => binding.BindOutput("scores", new float[3]), Throws.ArgumentException.With.Message.Contains("output 'scores' has 10 values"));
        Assert.That(() => binding.BindImage("image", 0, 0, 4, 4, HostImageFormat.Rgba8, ImageLayout.General), Throws.ArgumentException.With.Message.Contains("VK_NULL_HANDLE"));

        using var fourChannels = InferenceSession.Create(MultiInputSessionTests.TwoInputGraph(), device);
        using var other = fourChannels.CreateIoBinding();
        Assert.That(() => other.BindFrame("x", 0, new byte[4], 1, 1), Throws.ArgumentException.With.Message.Contains("has 4 channels"));
    }

    private void RunAndCompare(VulkanDevice device, Source source, int batch, bool expectSubBatch)
    {
        var graph = Classifier();
        using var session = InferenceSession.Create(graph, device, new SessionOptions { Batch = batch });
        Assert.That(session.SubBatch < batch, Is.EqualTo(expectSubBatch), $"sub-batch {session.SubBatch} of {batch}");
        var frames = Enumerable.Range(0, batch).Select(s => Frame(31 + 14 * s, 17 + 9 * s, 40 + s)).ToArray();
        var input = source is Source.Frames or Source.HostImages
            ? frames.SelectMany(f => ImagePreprocessor.ToTensor(f, Width, Height)).ToArray()
            : GpuVsCpu.RandomArray(session.InputLength, 50 + batch);
        var expected = ReferenceExecutor.RunAll(graph, input, batch);

        var scores = new float[session.OutputLength];
        int featureCount = batch * 8;
        const ulong featureOffset = 36;
        using var features = _host.CreateBuffer(featureOffset + (ulong)featureCount * 4, BufferUsageFlags.TransferDstBit, HostVisible);
        using var binding = session.CreateIoBinding().BindOutput("scores", scores).BindOutput("features", features.Handle.Handle, features.Bytes, featureOffset);
        using var inputs = Bind(binding, source, input, frames);

        for (int round = 0; round < 2; round++) // the second run replays what the first recorded
        {
            var result = session.Run(binding);
            string what = $"{source}, batch {batch}, round {round}";
            GpuVsCpu.AssertClose(scores, expected[graph.Output], 1e-4, 1e-3, what + ", scores (host floats)");
            GpuVsCpu.AssertClose(features.Floats(featureOffset, featureCount).ToArray(), expected[graph.ExtraOutputs[0]], 1e-4, 1e-3, what + ", features (host buffer)");
            if (!expectSubBatch)
            {
                var fromDevice = new float[featureCount];
                result.CopyOutput("features", fromDevice);
                GpuVsCpu.AssertClose(fromDevice, expected[graph.ExtraOutputs[0]], 1e-4, 1e-3, what + ", features read from the device");
            }
            else Assert.That(() => result.CopyOutput("features", new float[featureCount]), Throws.InvalidOperationException.With.Message.Contains("sub-batches"));
        }
    }

    private const MemoryPropertyFlags HostVisible = MemoryPropertyFlags.HostVisibleBit | MemoryPropertyFlags.HostCoherentBit;

    /// <summary>Binds the input to <paramref name="source"/>; returns what the host owns for it (disposed after the runs).</summary>
    private IDisposable Bind(IoBinding binding, Source source, float[] input, RgbImage[] frames)
    {
        var owned = new Owned();
        switch (source)
        {
            case Source.HostFloats:
                binding.BindInput("image", input);
                break;
            case Source.Frames:
                for (int s = 0; s < frames.Length; s++)
                    binding.BindFrame("image", s, GpuMobileNet.Teach.FeatureExtractor.ToRgba(frames[s]), frames[s].Width, frames[s].Height);
                break;
            case Source.HostBuffer:
                const ulong offset = 12;
                var buffer = owned.Add(_host.CreateBuffer(offset + (ulong)input.Length * 4, BufferUsageFlags.TransferSrcBit, HostVisible));
                input.CopyTo(buffer.Floats(offset, input.Length));
                binding.BindInput("image", buffer.Handle.Handle, buffer.Bytes, offset);
                break;
            case Source.HostImages:
                for (int s = 0; s < frames.Length; s++)
                {
                    var image = owned.Add(new HostImageUpload(_host.Vk, _host.Physical, _host.Device, _host.Queue, _host.Family, Format.B8G8R8A8Unorm,
                        frames[s].Width, frames[s].Height, Bgra(frames[s])));
                    binding.BindImage("image", s, image.Image.Handle, frames[s].Width, frames[s].Height, HostImageFormat.Bgra8, ImageLayout.ShaderReadOnlyOptimal);
                }
                break;
        }
        return owned;
    }

    private static RgbImage Frame(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 3];
        new Random(seed).NextBytes(pixels);
        return new RgbImage(width, height, pixels);
    }

    private static byte[] Bgra(RgbImage frame)
    {
        var bgra = GpuMobileNet.Teach.FeatureExtractor.ToRgba(frame);
        for (int i = 0; i < bgra.Length; i += 4) (bgra[i], bgra[i + 2]) = (bgra[i + 2], bgra[i]);
        return bgra;
    }

    private sealed class Owned : IDisposable
    {
        private readonly List<IDisposable> _items = [];

        public T Add<T>(T item) where T : IDisposable
        {
            _items.Add(item);
            return item;
        }

        public void Dispose()
        {
            foreach (var item in _items) item.Dispose();
        }
    }
}
