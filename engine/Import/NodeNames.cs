namespace GpuMobileNet.Import;

/// <summary>The node names an importer gives its graph: the file's own name where still free, else that name with a
/// suffix (_1, _2, ...), so names the importer generates ("conv/relu6") never clash with the file's.</summary>
internal sealed class NodeNames(IEnumerable<string> taken)
{
    private readonly HashSet<string> _taken = new(taken, StringComparer.Ordinal);

    /// <summary><paramref name="name"/>, or the first free name with a suffix; taken from now on.</summary>
    public string Unique(string name)
    {
        string unique = name;
        for (int i = 1; !_taken.Add(unique); i++) unique = $"{name}_{i}";
        return unique;
    }
}
