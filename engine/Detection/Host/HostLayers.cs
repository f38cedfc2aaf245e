using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Detection.Host;

/// <summary>The host layers the ncnn importer places after the network, by ncnn layer type.</summary>
internal static class HostLayers
{
    private static readonly Dictionary<string, Func<NcnnParams, HostLayer>> Factories = new(StringComparer.Ordinal)
    {
        ["PriorBox"] = p => new PriorBoxLayer(p),
        ["DetectionOutput"] = p => new DetectionOutputLayer(p),
        ["Yolov3DetectionOutput"] = p => new Yolov3DetectionOutputLayer(p),
        ["YoloDetectionOutput"] = p => new YoloDetectionOutputLayer(p),
    };

    /// <summary>The layer types that run on the host.</summary>
    public static IReadOnlySet<string> Types { get; } = new HashSet<string>(Factories.Keys, StringComparer.Ordinal);

    /// <summary>Creates the host layer of <paramref name="type"/> from its parameters.</summary>
    /// <exception cref="NotSupportedException">No host layer of that type.</exception>
    /// <exception cref="Import.ModelLoadException">Parameters the layer cannot work with, named in the message.</exception>
    public static HostLayer Create(string type, NcnnParams parameters) =>
        Factories.TryGetValue(type, out var create) ? create(parameters)
            : throw new NotSupportedException($"no host implementation of ncnn layer type '{type}'");
}
