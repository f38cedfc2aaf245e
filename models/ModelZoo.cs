using GpuMobileNet.Graph;

namespace GpuMobileNet.Models;

/// <summary>The built-in architectures by name (MobileNetV1/V2/V3, ShuffleNetV1/V2, GhostNet, SSDLite), as the papers
/// define them, with weights from a <see cref="WeightInit"/> (seeded random ones for tests and benchmarks, or a loader of
/// packaged weights): the public entry point of GpuMobileNet.Models; the per-architecture builders are internal.
/// Thread-safety: thread-safe; every call builds a new graph.</summary>
public static partial class ModelZoo
{
    private static readonly Dictionary<string, Func<double, int, int, WeightInit, ModelGraph>> Builders = new()
    {
        ["mobilenet_v1"] = (a, r, c, w) => MobileNetV1.Create(a, r, c, w),
        ["mobilenet_v2"] = (a, r, c, w) => MobileNetV2.Create(a, r, c, w),
        ["shufflenet_v1"] = (a, r, c, w) => ShuffleNetV1.Create(3, a, r, c, w),
        ["shufflenet_v1_g1"] = (a, r, c, w) => ShuffleNetV1.Create(1, a, r, c, w),
        ["shufflenet_v1_g2"] = (a, r, c, w) => ShuffleNetV1.Create(2, a, r, c, w),
        ["shufflenet_v1_g4"] = (a, r, c, w) => ShuffleNetV1.Create(4, a, r, c, w),
        ["shufflenet_v1_g8"] = (a, r, c, w) => ShuffleNetV1.Create(8, a, r, c, w),
        ["shufflenet_v2"] = (a, r, c, w) => ShuffleNetV2.Create(a, r, c, w),
        ["ghostnet"] = (a, r, c, w) => GhostNet.Create(a, r, c, w),
        ["mobilenet_v3_large"] = (a, r, c, w) => MobileNetV3.CreateLarge(a, r, c, w),
        ["mobilenet_v3_small"] = (a, r, c, w) => MobileNetV3.CreateSmall(a, r, c, w),
        ["ssdlite_mobilenet_v2"] = (a, r, c, w) => SsdLite.Create(a, r, c, w),
        ["resnet18"] = (a, r, c, w) => ResNet.Create(18, a, r, c, w),
        ["resnet34"] = (a, r, c, w) => ResNet.Create(34, a, r, c, w),
    };

    /// <summary>The names <see cref="Create"/> knows (e.g. "mobilenet_v2", "shufflenet_v1_g8").</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Builders.Keys];

    /// <summary>The network <paramref name="name"/> at width multiplier <paramref name="alpha"/> (ShuffleNet's scale), a
    /// square input of <paramref name="resolution"/> pixels and <paramref name="classes"/> outputs (see
    /// <see cref="DefaultResolution"/>, <see cref="DefaultClasses"/>), weights from <paramref name="weights"/>
    /// (<see cref="WeightInit.Random(int)"/> for seeded random ones).</summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the known ones).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An alpha, resolution or class count out of range, named.</exception>
    public static ModelGraph Create(string name, double alpha, int resolution, int classes, WeightInit weights)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(weights);
        if (!Builders.TryGetValue(name, out var build))
            throw new ArgumentException($"unknown model '{name}'; known models: {string.Join(", ", Names)}", nameof(name));
        return build(alpha, resolution, classes, weights);
    }
}
