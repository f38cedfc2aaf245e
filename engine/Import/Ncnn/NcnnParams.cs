namespace GpuMobileNet.Import.Ncnn;

/// <summary>One ncnn layer's parameters as written in a .param file: <c>id=value</c> pairs, where a value is an int,
/// a float (written with a '.' or an exponent) or an array (id -23300 - k, then count and items). Shared by the importer
/// (which parses them) and the host layers (which read them), so both agree on one representation.</summary>
internal sealed class NcnnParams
{
    private readonly IReadOnlyDictionary<int, float[]> _values;
    private readonly IReadOnlySet<int> _floats;

    /// <param name="values">Every parameter by id, each as its items (a scalar is one item; ints are exact as floats up to 2^24).</param>
    /// <param name="floatIds">Ids whose values were written as floats (the rest were ints).</param>
    public NcnnParams(IReadOnlyDictionary<int, float[]> values, IReadOnlySet<int> floatIds)
    {
        _values = values;
        _floats = floatIds;
    }

    /// <summary>No parameters (every read returns its default).</summary>
    public static NcnnParams Empty { get; } = new(new Dictionary<int, float[]>(), new HashSet<int>());

    /// <summary>The ids present.</summary>
    public IEnumerable<int> Ids => _values.Keys;

    /// <summary>Whether <paramref name="id"/> is present.</summary>
    public bool Has(int id) => _values.ContainsKey(id);

    /// <summary>An int parameter, or <paramref name="fallback"/> when absent.</summary>
    public int Int(int id, int fallback) => _values.TryGetValue(id, out var v) && v.Length > 0 ? (int)v[0] : fallback;

    /// <summary>A float parameter, or <paramref name="fallback"/> when absent.</summary>
    public float Float(int id, float fallback) => _values.TryGetValue(id, out var v) && v.Length > 0 ? v[0] : fallback;

    /// <summary>An array parameter (a scalar reads as one item), or an empty array when absent.</summary>
    public float[] Floats(int id) => _values.TryGetValue(id, out var v) ? v : [];

    /// <summary>An int array parameter, or an empty array when absent.</summary>
    public int[] Ints(int id) => Floats(id).Select(f => (int)f).ToArray();

    /// <summary>Whether the value of <paramref name="id"/> was written as a float.</summary>
    public bool IsFloat(int id) => _floats.Contains(id);
}
