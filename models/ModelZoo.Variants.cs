namespace GpuMobileNet.Models;

/// <summary>One built-in network at one width and input size, with the size and cost its paper reports where the
/// paper gives them (millions; null where it does not). Thread-safety: an immutable record.</summary>
/// <param name="Model">The <see cref="ModelZoo"/> name.</param>
/// <param name="Alpha">Width multiplier.</param>
/// <param name="Resolution">Square input size.</param>
/// <param name="PaperParamsM">Parameters the paper reports, in millions.</param>
/// <param name="PaperMultiplyAddsM">Multiply-adds (or FLOPs as the paper counts them) per image, in millions.</param>
public sealed record ZooVariant(string Model, double Alpha, int Resolution, double? PaperParamsM, double? PaperMultiplyAddsM);

public static partial class ModelZoo
{
    /// <summary>Every built-in network at the widths and input sizes its paper tabulates (what `gmn zoo` prints):
    /// MobileNetV1 (Howard et al. 2017, Tables 6 and 7), MobileNetV2 (Sandler et al. 2018, Table 3 / Figure 5's
    /// published checkpoints), MobileNetV3 (Howard et al. 2019, Table 3; the resolution variants of its Figure 7
    /// have no counts in the paper), ShuffleNetV1 (Zhang et al. 2018: FLOPs only; every group count is built for 140 M at 1x, Table 1), ShuffleNetV2 (Ma et al.
    /// 2018, Table 5), GhostNet (Han et al. 2020, Table 7) and SSDLite (Sandler et al. 2018, Table 6: 320x320, COCO's
    /// 91 classes). Each network adds its rows here.</summary>
    public static IReadOnlyList<ZooVariant> Variants { get; } =
    [
        new("mobilenet_v1", 1.0, 224, 4.2, 569), new("mobilenet_v1", 0.75, 224, 2.6, 325),
        new("mobilenet_v1", 0.5, 224, 1.3, 149), new("mobilenet_v1", 0.25, 224, 0.5, 41),
        new("mobilenet_v1", 1.0, 160, 4.2, 290),
        new("mobilenet_v2", 1.4, 224, 6.9, 585), new("mobilenet_v2", 1.0, 224, 3.4, 300),
        new("mobilenet_v2", 0.75, 224, 2.6, 209), new("mobilenet_v2", 0.5, 224, 2.0, 97), new("mobilenet_v2", 0.35, 224, 1.7, 59),
        new("mobilenet_v3_large", 1.0, 224, 5.4, 219), new("mobilenet_v3_large", 0.75, 224, 4.0, 155),
        new("mobilenet_v3_large", 1.0, 192, null, null), new("mobilenet_v3_large", 1.0, 160, null, null),
        new("mobilenet_v3_small", 1.0, 224, 2.5, 56), new("mobilenet_v3_small", 0.75, 224, 2.0, 44),
        new("mobilenet_v3_small", 1.0, 192, null, null), new("mobilenet_v3_small", 1.0, 160, null, null),
        new("shufflenet_v1", 1.0, 224, null, 140), new("shufflenet_v1", 0.5, 224, null, 38),
        new("shufflenet_v1", 1.5, 224, null, 292), new("shufflenet_v1", 2.0, 224, null, 524),
        new("shufflenet_v1_g1", 1.0, 224, null, 140), new("shufflenet_v1_g2", 1.0, 224, null, 140),
        new("shufflenet_v1_g4", 1.0, 224, null, 140), new("shufflenet_v1_g8", 1.0, 224, null, 140),
        new("shufflenet_v2", 0.5, 224, 1.4, 41), new("shufflenet_v2", 1.0, 224, 2.3, 146),
        new("shufflenet_v2", 1.5, 224, 3.5, 299), new("shufflenet_v2", 2.0, 224, 7.4, 591),
        new("ghostnet", 1.0, 224, 5.2, 141),
        new("ssdlite_mobilenet_v2", 1.0, 320, 4.3, 800),
    ];
}
