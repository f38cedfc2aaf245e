using GpuMobileNet.Detection.Host;
using GpuMobileNet.Graph;

namespace GpuMobileNet.Import.Ncnn;

/// <summary>A host layer placed after the network: it reads <see cref="Bottoms"/> (network outputs or earlier host
/// layers' tops, by ncnn blob name) and writes <see cref="Tops"/>.</summary>
internal sealed record NcnnHostStep(HostLayer Layer, IReadOnlyList<string> Bottoms, IReadOnlyList<string> Tops);

/// <summary>An imported ncnn model: the network as a graph, the post-processing layers to run on the host after it
/// (in order), and how its weights were obtained.</summary>
internal sealed class NcnnModel
{
    internal NcnnModel(ModelGraph graph, IReadOnlyList<NcnnHostStep> hostSteps, IReadOnlySet<string> hostInputBlobs, bool int8, bool randomWeights)
    {
        Graph = graph;
        HostSteps = hostSteps;
        HostInputBlobs = hostInputBlobs;
        IsInt8 = int8;
        RandomWeights = randomWeights;
    }

    /// <summary>The network (outputs: the blobs nothing reads, then those the host layers read).</summary>
    public ModelGraph Graph { get; }

    /// <summary>The post-processing layers, in order.</summary>
    internal IReadOnlyList<NcnnHostStep> HostSteps { get; }

    /// <summary>The blobs host layers read that are the network's input (its name or a Split of it), not an output.</summary>
    internal IReadOnlySet<string> HostInputBlobs { get; }

    /// <summary>Whether the file is an int8 model (layers with int8 scales). Its int8 weights are dequantised
    /// (level / scale) and it runs in fp32 (or fp16): activations are not quantised as ncnn's int8 path does. On GPUs the
    /// channel-packed 1x1 convolutions and the dense layers keep those weights as int8 in the weight buffer
    /// (Kernels.Int8Weights; KernelChoice.KeepsInt8Weights).</summary>
    public bool IsInt8 { get; }

    /// <summary>Whether the weights are seeded random ones (no .bin given).</summary>
    public bool RandomWeights { get; }

    /// <summary>What the import ignored as ncnn does (such as lines after the declared layers), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>One line on how the model runs, for inspect and bench.</summary>
    public string Describe() =>
        (IsInt8 ? "int8 model, run dequantised in fp32 (weights = level / scale, kept as int8 for 1x1 convolutions and dense layers on GPUs; " +
            "activations not quantised)" : "fp32 model")
        + (RandomWeights ? ", seeded random weights" : "")
        + (HostSteps.Count > 0 ? $", {HostSteps.Count} host layer(s) after the network: {string.Join(", ", HostSteps.Select(s => s.Layer.Type))}" : "");
}
