using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Detection.Host;

/// <summary>The host layers the ncnn importer places after the network, by ncnn layer type.</summary>
internal static class HostLayers
{
    /// <summary>The layer types that run on the host.</summary>
    public static IReadOnlySet<string> Types { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Creates the host layer of <paramref name="type"/> from its parameters.</summary>
    /// <exception cref="NotSupportedException">No host layer of that type.</exception>
    public static HostLayer Create(string type, NcnnParams parameters) =>
        throw new NotSupportedException($"no host implementation of ncnn layer type '{type}'");
}
