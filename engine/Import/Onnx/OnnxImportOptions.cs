namespace GpuMobileNet.Import.Onnx;

/// <summary>Choices the ONNX file may leave open.</summary>
public sealed record OnnxImportOptions
{
    /// <summary>Input height and width for a model whose input has symbolic (dynamic) spatial dimensions;
    /// ignored when the file fixes them, an error when they disagree with it.</summary>
    public int? InputHeight { get; init; }
    public int? InputWidth { get; init; }

    /// <summary>Which graph output (or any intermediate tensor) becomes the graph's output; default the first output.</summary>
    public string? OutputName { get; init; }
}
