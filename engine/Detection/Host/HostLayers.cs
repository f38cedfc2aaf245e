using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Detection.Host;

/// <summary>The host layers the ncnn importer places after the network, by ncnn layer type: the post-processing ones
/// always, and the others (<see cref="FollowerTypes"/>) when every input is a host layer's output.</summary>
internal static class HostLayers
{
    private static readonly Dictionary<string, Func<NcnnParams, HostLayer>> Factories = new(StringComparer.Ordinal)
    {
        ["PriorBox"] = p => new PriorBoxLayer(p),
        ["DetectionOutput"] = p => new DetectionOutputLayer(p),
        ["Yolov3DetectionOutput"] = p => new Yolov3DetectionOutputLayer(p),
        ["YoloDetectionOutput"] = p => new YoloDetectionOutputLayer(p),
    };

    private static readonly Dictionary<string, Func<NcnnParams, HostLayer>> Followers = new(StringComparer.Ordinal)
    {
        ["Concat"] = p => new HostConcatLayer(p),
    };

    /// <summary>The layer types that always run on the host.</summary>
    public static IReadOnlySet<string> Types { get; } = new HashSet<string>(Factories.Keys, StringComparer.Ordinal);

    /// <summary>The layer types that run on the host when all their inputs are host layers' outputs (SSD's PriorBox concatenation).</summary>
    public static IReadOnlySet<string> FollowerTypes { get; } = new HashSet<string>(Followers.Keys, StringComparer.Ordinal);

    /// <summary>Creates the host layer of <paramref name="type"/> from its parameters.</summary>
    /// <exception cref="NotSupportedException">No host layer of that type.</exception>
    /// <exception cref="Import.ModelLoadException">Parameters the layer cannot work with, named in the message.</exception>
    public static HostLayer Create(string type, NcnnParams parameters) =>
        Factories.TryGetValue(type, out var create) || Followers.TryGetValue(type, out create) ? create(parameters)
            : throw new NotSupportedException($"no host implementation of ncnn layer type '{type}'");
}
