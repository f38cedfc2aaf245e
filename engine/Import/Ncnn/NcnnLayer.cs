namespace GpuMobileNet.Import.Ncnn;

/// <summary>One layer of an ncnn .param file: its type ("Convolution"), unique name, the blobs it reads
/// (<see cref="Bottoms"/>) and writes (<see cref="Tops"/>), and its <c>id=value</c> parameters.</summary>
/// <param name="Where">How messages name its position: "line 7" (text) or "layer 5" (binary).</param>
internal sealed record NcnnLayer(string Type, string Name, IReadOnlyList<string> Bottoms, IReadOnlyList<string> Tops, NcnnParams Params, string Where)
{
    /// <summary>"Convolution 'conv1' (line 7)", for messages.</summary>
    public override string ToString() => $"{Type} '{Name}' ({Where})";
}

/// <summary>A parsed .param: the layers in file order, checked so that every blob is written once, by a layer
/// before any layer that reads it (which also rules out cycles).</summary>
internal sealed record NcnnNet(IReadOnlyList<NcnnLayer> Layers)
{
    /// <summary>What the reader ignored as ncnn does (one line each, naming the file and what was ignored).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The most layers, blobs, inputs or outputs of a layer, and items of an array parameter a file may declare:
    /// far beyond any real network, small enough that a corrupt count fails before a large allocation.</summary>
    public const int MaxCount = 1 << 16;

    /// <summary>Checks the blob wiring against the declared <paramref name="blobCount"/>; <paramref name="fail"/> makes the error.</summary>
    public static NcnnNet Checked(IReadOnlyList<NcnnLayer> layers, int blobCount, Func<string, Exception> fail)
    {
        var written = new Dictionary<string, NcnnLayer>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            if (!names.Add(layer.Name)) throw fail($"{layer}: a second layer named '{layer.Name}'");
            foreach (var b in layer.Bottoms)
                if (!written.ContainsKey(b))
                    throw fail($"{layer}: reads blob '{b}' before any layer writes it (or in a cycle)");
            foreach (var t in layer.Tops)
                if (!written.TryAdd(t, layer))
                    throw fail($"{layer}: writes blob '{t}', already written by {written[t]}");
        }
        if (written.Count != blobCount)
            throw fail($"the header declares {blobCount} blobs but the layers write {written.Count}");
        return new NcnnNet(layers);
    }
}
