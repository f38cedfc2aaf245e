namespace GpuMobileNet.Import.Ncnn;

/// <summary>ncnn's layer type numbering (the order of its built-in layer registry, which the binary .param.bin uses
/// instead of names) and which parameters of each type are floats (the binary form stores 32 bits without saying).</summary>
internal static class NcnnLayerTypes
{
    /// <summary>Parameter ids run 0 .. MaxParamId - 1, as in ncnn's ParamDict.</summary>
    public const int MaxParamId = 32;

    /// <summary>Type names by index, as ncnn registers its built-in layers.</summary>
    public static IReadOnlyList<string> ByIndex { get; } =
    [
        "AbsVal", "ArgMax", "BatchNorm", "Bias", "BNLL", "Concat", "Convolution", "Crop", "Deconvolution", "Dropout",
        "Eltwise", "ELU", "Embed", "Exp", "Flatten", "InnerProduct", "Input", "Log", "LRN", "MemoryData",
        "MVN", "Pooling", "Power", "PReLU", "Proposal", "Reduction", "ReLU", "Reshape", "ROIPooling", "Scale",
        "Sigmoid", "Slice", "Softmax", "Split", "SPP", "TanH", "Threshold", "Tile", "RNN", "LSTM",
        "BinaryOp", "UnaryOp", "ConvolutionDepthWise", "Padding", "Squeeze", "ExpandDims", "Normalize", "Permute", "PriorBox", "DetectionOutput",
        "Interp", "DeconvolutionDepthWise", "ShuffleChannel", "InstanceNorm", "Clip", "Reorg", "YoloDetectionOutput", "Quantize", "Dequantize", "Yolov3DetectionOutput",
        "PSROIPooling", "ROIAlign", "Packing", "Requantize", "Cast", "HardSigmoid", "SELU", "HardSwish", "Noop", "PixelShuffle",
        "DeepCopy", "Mish", "StatisticsPooling", "Swish", "Gemm", "GroupNorm", "LayerNorm", "Softplus", "GRU", "MultiHeadAttention",
        "GELU",
    ];

    private static readonly Dictionary<string, int> Indices = ByIndex.Select((name, i) => (name, i)).ToDictionary(t => t.name, t => t.i, StringComparer.Ordinal);

    /// <summary>The index of <paramref name="type"/>, or -1.</summary>
    public static int IndexOf(string type) => Indices.GetValueOrDefault(type, -1);

    private static readonly Dictionary<string, int[]> FloatIds = new(StringComparer.Ordinal)
    {
        ["Convolution"] = [10, 18], ["ConvolutionDepthWise"] = [10, 18],
        ["Deconvolution"] = [10, 18], ["DeconvolutionDepthWise"] = [10, 18],
        ["InnerProduct"] = [10], ["BatchNorm"] = [1], ["ReLU"] = [0], ["Clip"] = [0, 1], ["Dropout"] = [0],
        ["HardSigmoid"] = [0, 1], ["HardSwish"] = [0, 1], ["Padding"] = [5], ["LRN"] = [2, 3, 4],
        ["Eltwise"] = [1], ["BinaryOp"] = [2], ["Interp"] = [1, 2], ["Reduction"] = [2],
        ["PriorBox"] = [0, 1, 2, 3, 8, 9, 10], ["DetectionOutput"] = [1, 4, 5],
        ["YoloDetectionOutput"] = [2, 3, 4], ["Yolov3DetectionOutput"] = [2, 3, 4, 6],
    };

    /// <summary>The layers of a transformer (ncnn's vision_transformer), none of which the importer maps: a model with
    /// any is refused before its weights are read, naming each such type at once rather than only the first layer.</summary>
    public static IReadOnlySet<string> Transformer { get; } =
        new HashSet<string>(["MultiHeadAttention", "SDPA", "LayerNorm", "GELU", "Gemm"], StringComparer.Ordinal);

    /// <summary>Whether parameter <paramref name="id"/> of <paramref name="type"/> holds floats.</summary>
    public static bool IsFloat(string type, int id) => FloatIds.TryGetValue(type, out var ids) && ids.Contains(id);
}
