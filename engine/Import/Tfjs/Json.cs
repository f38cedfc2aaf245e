using System.Text.Json;

namespace GpuMobileNet.Import.Tfjs;

/// <summary>Typed reads of model.json fields that fail with a one-line <see cref="ModelLoadException"/> naming the
/// file and the field, instead of JsonElement's own InvalidOperationException.</summary>
internal static class Json
{
    public static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Undefined => "missing",
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    public static JsonElement Object(JsonElement e, string field, string file) =>
        e.ValueKind == JsonValueKind.Object ? e : throw new ModelLoadException($"{file}: '{field}' is {Kind(e)}, not an object");

    public static JsonElement Array(JsonElement e, string field, string file) =>
        e.ValueKind == JsonValueKind.Array ? e : throw new ModelLoadException($"{file}: '{field}' is {Kind(e)}, not an array");

    public static string String(JsonElement e, string field, string file) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new ModelLoadException($"{file}: '{field}' is {Kind(e)}, not a string");

    /// <summary>The string property <paramref name="key"/> of <paramref name="obj"/> (which may be any kind), or
    /// <paramref name="fallback"/> when absent; present but not a string is an error.</summary>
    public static string OptionalString(JsonElement obj, string key, string field, string file, string fallback = "") =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null
            ? String(v, field, file) : fallback;

    public static bool TryGet(JsonElement obj, string key, out JsonElement value)
    {
        value = default;
        return obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(key, out value);
    }
}
