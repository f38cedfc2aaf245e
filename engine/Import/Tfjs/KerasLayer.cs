using System.Text.Json;

namespace GpuMobileNet.Import.Tfjs;

/// <summary>One Keras layer of a TF.js layers model: its class, its config and the layers it reads.
/// The typed getters turn config mistakes into messages that name the layer and the key.</summary>
internal sealed class KerasLayer(string name, string className, JsonElement config, IReadOnlyList<string> inbound, string file)
{
    public string Name { get; } = name;
    public string ClassName { get; } = className;
    public JsonElement Config { get; } = config;
    public IReadOnlyList<string> Inbound { get; } = inbound;

    public ModelLoadException Error(string message) => new($"{file}: layer '{Name}' ({ClassName}): {message}");

    public bool Has(string key) =>
        Config.ValueKind == JsonValueKind.Object && Config.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement Get(string key) =>
        Has(key) ? Config.GetProperty(key) : throw Error($"config has no '{key}'");

    public string String(string key, string fallback) =>
        !Has(key) ? fallback
        : Get(key).ValueKind == JsonValueKind.String ? Get(key).GetString()! : throw Error($"'{key}' is not a string");

    public bool Bool(string key, bool fallback) =>
        !Has(key) ? fallback
        : Get(key).ValueKind is JsonValueKind.True or JsonValueKind.False ? Get(key).GetBoolean() : throw Error($"'{key}' is not a boolean");

    public int Int(string key) => AsInt(Get(key), key);

    public double Double(string key, double fallback) =>
        !Has(key) ? fallback
        : Get(key).ValueKind == JsonValueKind.Number ? Get(key).GetDouble() : throw Error($"'{key}' is not a number");

    /// <summary>A Keras pair such as kernel_size or strides: either one integer for both or [h, w].</summary>
    public (int H, int W) Pair(string key)
    {
        var v = Get(key);
        if (v.ValueKind == JsonValueKind.Number) { int n = AsInt(v, key); return (n, n); }
        var a = Ints(v, key);
        return a.Length == 2 ? (a[0], a[1]) : throw Error($"'{key}' should have 2 values, has {a.Length}");
    }

    public int[] Ints(JsonElement v, string key)
    {
        if (v.ValueKind != JsonValueKind.Array) throw Error($"'{key}' is not an array");
        return v.EnumerateArray().Select(e => AsInt(e, key)).ToArray();
    }

    public override string ToString() => $"{ClassName} '{Name}'";

    private int AsInt(JsonElement v, string key) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n : throw Error($"'{key}' is not an integer: {v.GetRawText()}");
}
