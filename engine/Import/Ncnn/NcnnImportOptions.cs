namespace GpuMobileNet.Import.Ncnn;

/// <summary>Options of <see cref="NcnnImporter"/>.</summary>
internal sealed record NcnnImportOptions
{
    /// <summary>Input width and height to use instead of the Input layer's (needed when it declares none).</summary>
    public int? InputWidth { get; init; }

    /// <summary>See <see cref="InputWidth"/>.</summary>
    public int? InputHeight { get; init; }

    /// <summary>Seed of the random weights used when no .bin is given.</summary>
    public int Seed { get; init; } = 1;
}
