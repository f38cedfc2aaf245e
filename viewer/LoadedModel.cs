using System.Diagnostics;
using GpuMobileNet.Graph;
using GpuMobileNet.Imaging;
using GpuMobileNet.Teach;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Viewer;

/// <summary>One model bound to the device as a <see cref="FeatureExtractor"/>: one GPU run per frame yields both the
/// pooled features a taught head needs and the model's own predictions (its head runs on the device too). Runs are
/// serialised by <see cref="Gate"/> (one frame at a time per model; clients wait their turn asynchronously).</summary>
public sealed class LoadedModel : IDisposable
{
    private readonly FeatureExtractor _model;

    public LoadedModel(string name, ModelGraph graph, IReadOnlyList<string>? labels, VulkanDevice device)
    {
        Name = name;
        Graph = graph;
        int classes = graph.Output.Shape.Elements;
        if (labels is not null && labels.Count != classes)
            throw new ArgumentException($"model '{name}': {labels.Count} labels but {classes} outputs");
        Labels = labels ?? Enumerable.Range(0, classes).Select(i => $"class {i}").ToArray();
        var clock = Stopwatch.StartNew();
        _model = new FeatureExtractor(graph, device);
        LoadMs = clock.Elapsed.TotalMilliseconds;
    }

    public string Name { get; }
    public ModelGraph Graph { get; }
    public IReadOnlyList<string> Labels { get; }
    public int Width => Graph.Input.Shape.W;
    public int Height => Graph.Input.Shape.H;
    public int FeatureCount => _model.FeatureCount;
    public double LoadMs { get; }
    public SemaphoreSlim Gate { get; } = new(1, 1);
    public bool IsDisposed { get; private set; }

    /// <summary>Runs one RGBA8 frame: GPU preprocessing and the whole model, features and scores in one run; a taught head
    /// on the CPU. Call with <see cref="Gate"/> held.</summary>
    public FrameResult ClassifyRgba8(ReadOnlyMemory<byte> rgba, int width, int height, TaughtHead? taught, ResizeMode resize = ResizeMode.Stretch)
    {
        var clock = Stopwatch.StartNew();
        var run = _model.Run(rgba, width, height, null, resize);
        return Finish(run.InputGpuMs, taught, clock);
    }

    /// <summary>Runs one already-preprocessed NCHW input (the KServe path). Call with <see cref="Gate"/> held.</summary>
    public FrameResult ClassifyTensor(ReadOnlyMemory<float> input, TaughtHead? taught)
    {
        var clock = Stopwatch.StartNew();
        _model.Run(input);
        return Finish(0, taught, clock);
    }

    private FrameResult Finish(double preprocessGpuMs, TaughtHead? taught, Stopwatch clock)
    {
        double deviceMs = clock.Elapsed.TotalMilliseconds;
        var features = _model.Features.ToArray();
        var taughtScores = taught?.Predict(features);
        double totalMs = clock.Elapsed.TotalMilliseconds;
        // Preprocessing runs in the same submission as the network: its share is the GPU timestamps' split.
        double preprocess = Math.Min(preprocessGpuMs, deviceMs);
        return new FrameResult(features, _model.Scores.ToArray(), taughtScores, preprocess, totalMs - preprocess);
    }

    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        _model.Dispose();
        Gate.Dispose();
    }
}

/// <summary>What one frame gave: the pooled features, the model's class probabilities, the taught head's (if any),
/// and the time spent preprocessing (GPU) and in inference (GPU backbone + CPU heads), in milliseconds.</summary>
public sealed record FrameResult(float[] Features, float[] Scores, float[]? TaughtScores, double PreprocessMs, double InferenceMs);
