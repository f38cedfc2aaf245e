using System.Globalization;
using System.Text;

namespace GpuMobileNet.Import.Ncnn;

/// <summary>Reads the text .param format: the magic 7767517, "layer_count blob_count", then one line per layer,
/// "Type name bottom_count top_count bottoms... tops... id=value...", where an id of -23300 - k makes parameter k an
/// array written "count,item,item...", and a value with a '.' or an exponent is a float.</summary>
internal static class NcnnTextParam
{
    /// <summary>The magic number that opens every .param (text) and .param.bin (binary).</summary>
    public const int Magic = 7767517;

    /// <summary>Parses <paramref name="bytes"/>; <paramref name="file"/> names it in errors.</summary>
    /// <exception cref="ModelLoadException">Anything malformed, with the line and the problem.</exception>
    public static NcnnNet Parse(byte[] bytes, string file)
    {
        string text;
        try { text = new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { throw Fail(file, "not UTF-8 text"); }
        var lines = text.Split('\n');
        int at = 0;
        string[] NextLine()
        {
            while (at < lines.Length)
            {
                var tokens = lines[at++].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (tokens.Length > 0) return tokens;
            }
            return [];
        }
        var magic = NextLine();
        if (magic.Length != 1 || magic[0] != Magic.ToString(CultureInfo.InvariantCulture))
            throw Fail(file, $"line 1 is '{Clip(string.Join(' ', magic))}', not the ncnn magic {Magic}");
        var counts = NextLine();
        if (counts.Length != 2 || !TryCount(counts[0], out int layerCount) || !TryCount(counts[1], out int blobCount))
            throw Fail(file, $"line {at} must be 'layer_count blob_count' (each 1..{NcnnNet.MaxCount}), not '{Clip(string.Join(' ', counts))}'");
        var layers = new List<NcnnLayer>();
        while (layers.Count < layerCount && NextLine() is { Length: > 0 } tokens)
            layers.Add(ParseLayer(tokens, $"line {at}", file));
        if (layers.Count != layerCount)
            throw Fail(file, $"the header declares {layerCount} layers but the file has {layers.Count} layer lines");
        var net = NcnnNet.Checked(layers, blobCount, m => Fail(file, m));
        return IgnoredTail(NextLine, () => at, layerCount, file) is { } warning ? net with { Warnings = [warning] } : net;
    }

    // ncnn reads only the layers the header declares; lines after them (nanodet_m's trailing "Noop Output") are ignored
    // as it ignores them, with a warning naming them.
    private static string? IgnoredTail(Func<string[]> nextLine, Func<int> lineNumber, int layerCount, string file)
    {
        var ignored = new List<string>();
        for (var tokens = nextLine(); tokens.Length > 0; tokens = nextLine())
            ignored.Add($"line {lineNumber()} '{Clip(string.Join(' ', tokens.Take(2)))}'");
        if (ignored.Count == 0) return null;
        var named = string.Join(", ", ignored.Take(3)) + (ignored.Count > 3 ? $" and {ignored.Count - 3} more" : "");
        return $"{file}: {ignored.Count} line(s) after the {layerCount} layers the header declares are ignored, as ncnn ignores them: {named}";
    }

    private static NcnnLayer ParseLayer(string[] t, string where, string file)
    {
        if (t.Length < 4 || !TryCount(t[2], out int nIn, allowZero: true) || !TryCount(t[3], out int nOut, allowZero: true))
            throw Fail(file, $"{where}: expected 'Type name bottom_count top_count ...', got '{Clip(string.Join(' ', t))}'");
        if (t.Length < 4 + nIn + nOut)
            throw Fail(file, $"{where}: {t[0]} '{t[1]}' declares {nIn} inputs and {nOut} outputs but names only {t.Length - 4} blobs");
        var values = new Dictionary<int, float[]>();
        var floats = new HashSet<int>();
        for (int i = 4 + nIn + nOut; i < t.Length; i++)
            ParseParam(t[i], values, floats, $"{where}: {t[0]} '{t[1]}'", file);
        return new NcnnLayer(t[0], t[1], t[4..(4 + nIn)], t[(4 + nIn)..(4 + nIn + nOut)], new NcnnParams(values, floats), where);
    }

    // "id=value" or "-233xx=count,item,...": ids 0..31 as ncnn's ParamDict holds.
    private static void ParseParam(string token, Dictionary<int, float[]> values, HashSet<int> floats, string who, string file)
    {
        int eq = token.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || !int.TryParse(token.AsSpan(0, eq), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int key))
            throw Fail(file, $"{who}: '{Clip(token)}' is not an id=value parameter");
        bool array = key <= -23300;
        int id = array ? -key - 23300 : key;
        if (id is < 0 or >= NcnnLayerTypes.MaxParamId)
            throw Fail(file, $"{who}: parameter id {key} is out of range (0..{NcnnLayerTypes.MaxParamId - 1}, or -23300 - id for an array)");
        if (values.ContainsKey(id)) throw Fail(file, $"{who}: parameter {id} is given twice");
        var items = token[(eq + 1)..].Split(',');
        if (array)
        {
            if (!TryCount(items[0], out int n, allowZero: true) || n != items.Length - 1)
                throw Fail(file, $"{who}: array parameter {id} declares {items[0]} items but has {items.Length - 1}");
            items = items[1..];
        }
        else if (items.Length != 1) throw Fail(file, $"{who}: parameter {id} has several values; arrays are written -{23300 + id}=count,...");
        var parsed = new float[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            bool isFloat = items[i].AsSpan().IndexOfAny(".eE") >= 0;
            if (isFloat) floats.Add(id);
            bool ok = isFloat
                ? float.TryParse(items[i], NumberStyles.Float, CultureInfo.InvariantCulture, out parsed[i]) && float.IsFinite(parsed[i])
                : int.TryParse(items[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) && (parsed[i] = v) == v;
            if (!ok) throw Fail(file, $"{who}: parameter {id} has '{Clip(items[i])}', not a finite number");
        }
        values[id] = parsed;
    }

    private static bool TryCount(string s, out int n, bool allowZero = false) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out n) && n >= (allowZero ? 0 : 1) && n <= NcnnNet.MaxCount;

    private static string Clip(string s) => s.Length > 60 ? s[..60] + "..." : s;

    internal static ModelLoadException Fail(string file, string message) => new($"{file}: {message}");
}
