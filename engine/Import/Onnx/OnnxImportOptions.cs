namespace GpuMobileNet.Import.Onnx;

/// <summary>Choices the ONNX file may leave open.</summary>
internal sealed record OnnxImportOptions
{
    /// <summary>Input height and width for a model whose input has symbolic (dynamic) spatial dimensions;
    /// ignored when the file fixes them, an error when they disagree with it.</summary>
    public int? InputHeight { get; init; }
    /// <summary>See <see cref="InputHeight"/>.</summary>
    public int? InputWidth { get; init; }

    /// <summary>Which tensors become the graph's outputs, the first its main output: any of the model's outputs or
    /// intermediate tensors, by ONNX name. Default: the model's outputs in order.</summary>
    public IReadOnlyList<string>? OutputNames { get; init; }
}
