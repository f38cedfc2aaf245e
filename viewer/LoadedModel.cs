using System.Diagnostics;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Runtime;
using GpuMobileNet.Teach;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Viewer;

/// <summary>One model bound to the device: the backbone (everything up to the pooled features; the whole graph for a
/// model without a dense layer) as one
/// <see cref="InferenceSession"/>, and the model's own dense head run on the CPU by the reference executor, so one
/// device run per frame yields both the features a taught head needs and the model's predictions. Runs are
/// serialised by <see cref="Gate"/> (one frame at a time per model; clients wait their turn asynchronously).</summary>
public sealed class LoadedModel : IDisposable
{
    private readonly InferenceSession _backbone;
    private readonly ModelGraph? _head;
    private readonly float[] _features;

    public LoadedModel(string name, ModelGraph graph, IReadOnlyList<string>? labels, VulkanDevice device)
    {
        Name = name;
        Graph = graph;
        int classes = graph.Output.Shape.Elements;
        if (labels is not null && labels.Count != classes)
            throw new ArgumentException($"model '{name}': {labels.Count} labels but {classes} outputs");
        Labels = labels ?? Enumerable.Range(0, classes).Select(i => $"class {i}").ToArray();
        // A model without a dense head (any file a user drops in) runs whole on the device; its output is the features.
        var cut = graph.Nodes.OfType<DenseOp>().Any() ? GraphCut.Features(graph) : graph.Output;
        _head = cut == graph.Output ? null : GraphCut.After(graph, cut);
        var clock = Stopwatch.StartNew();
        _backbone = InferenceSession.Create(_head is null ? graph : GraphCut.Before(graph, cut), device, new Runtime.SessionOptions { Batch = 1 });
        LoadMs = clock.Elapsed.TotalMilliseconds;
        _features = new float[_backbone.OutputLength];
    }

    public string Name { get; }
    public ModelGraph Graph { get; }
    public IReadOnlyList<string> Labels { get; }
    public int Width => Graph.Input.Shape.W;
    public int Height => Graph.Input.Shape.H;
    public int FeatureCount => _features.Length;
    public double LoadMs { get; }
    public SemaphoreSlim Gate { get; } = new(1, 1);
    public bool IsDisposed { get; private set; }

    /// <summary>Runs one RGBA8 frame: GPU preprocessing and backbone, then the model's head (and a taught head) on the CPU.
    /// Call with <see cref="Gate"/> held.</summary>
    public FrameResult ClassifyRgba8(ReadOnlySpan<byte> rgba, int width, int height, TaughtHead? taught)
    {
        var clock = Stopwatch.StartNew();
        _backbone.RunRgba8(rgba, width, height, _features);
        double deviceMs = clock.Elapsed.TotalMilliseconds;
        return Finish(deviceMs, _backbone.LastRgba8GpuTimes.PreprocessMs, taught, clock);
    }

    /// <summary>Runs one already-preprocessed NCHW input (the KServe path). Call with <see cref="Gate"/> held.</summary>
    public FrameResult ClassifyTensor(ReadOnlySpan<float> input, TaughtHead? taught)
    {
        var clock = Stopwatch.StartNew();
        _backbone.Run(input, _features);
        return Finish(clock.Elapsed.TotalMilliseconds, 0, taught, clock);
    }

    private FrameResult Finish(double deviceMs, double preprocessGpuMs, TaughtHead? taught, Stopwatch clock)
    {
        var features = (float[])_features.Clone();
        var scores = _head is null ? features : ReferenceExecutor.Run(_head, features);
        var taughtScores = taught?.Predict(features);
        double totalMs = clock.Elapsed.TotalMilliseconds;
        // Preprocessing runs in the same submission as the network: its share is the GPU timestamps' split.
        double preprocess = Math.Min(preprocessGpuMs, deviceMs);
        return new FrameResult(features, scores, taughtScores, preprocess, totalMs - preprocess);
    }

    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        _backbone.Dispose();
        Gate.Dispose();
    }
}

/// <summary>What one frame gave: the pooled features, the model's class probabilities, the taught head's (if any),
/// and the time spent preprocessing (GPU) and in inference (GPU backbone + CPU heads), in milliseconds.</summary>
public sealed record FrameResult(float[] Features, float[] Scores, float[]? TaughtScores, double PreprocessMs, double InferenceMs);
