namespace GpuMobileNet.Import;

/// <summary>Choices a model file may leave open, for <see cref="ModelImporter.Load(string, ModelImportOptions?)"/>.
/// Thread-safety: immutable (init-only); one instance may be shared. The lists it holds are not copied: do not change
/// them.</summary>
public sealed record ModelImportOptions
{
    /// <summary>Input height and width for a model whose input has dynamic (symbolic) spatial dimensions (ONNX); where
    /// the file fixes them, they must agree with it.</summary>
    public int? InputHeight { get; init; }
    /// <summary>See <see cref="InputHeight"/>.</summary>
    public int? InputWidth { get; init; }

    /// <summary>Which tensors become the graph's outputs, the first its main output, by the file's names (ONNX only):
    /// any of the model's outputs or intermediate tensors. Default: the model's outputs in order.</summary>
    public IReadOnlyList<string>? OutputNames { get; init; }

    /// <summary>The weights file of a format that keeps them apart from the graph (an ncnn .bin for a .param). Null: the
    /// file of the same name beside the model (x.bin for x.param) where there is one, else seeded random weights.</summary>
    public string? Weights { get; init; }

    /// <summary>The seed of the random weights a model without a weights file gets (ncnn .param).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Leave out the import's dry run of kernel selection (passes and planning without a device, a good part of
    /// a load): for a caller that creates a session at once, whose own planning names every op it cannot run
    /// (`gmn classify`). Constants are still checked finite.</summary>
    internal bool SkipKernelDryRun { get; init; }
}
