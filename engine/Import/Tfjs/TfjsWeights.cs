using System.Buffers.Binary;
using System.Text.Json;
using GpuMobileNet.IO;

namespace GpuMobileNet.Import.Tfjs;

/// <summary>Reads the weightsManifest of a TF.js model: each group's shard files are concatenated in
/// manifest order and the group's weights follow each other in that byte stream.</summary>
internal static class TfjsWeights
{
    /// <summary>The most bytes of weights a model may have: 38 times the nsfwjs MobileNetV2's 2.6 MB of uint8
    /// weights, and room for any float32 MobileNet. Bounds the memory a manifest can make the loader allocate.</summary>
    public const long MaxWeightBytes = 1L << 30;

    public static Dictionary<string, TfjsWeight> Read(JsonElement manifest, string modelPath)
    {
        if (manifest.ValueKind != JsonValueKind.Array)
            throw new ModelLoadException($"{modelPath}: 'weightsManifest' is missing or not an array");
        string dir = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var result = new Dictionary<string, TfjsWeight>(StringComparer.Ordinal);
        long total = 0;
        foreach (var group in manifest.EnumerateArray())
        {
            var specs = Json.TryGet(group, "weights", out var w) && w.ValueKind == JsonValueKind.Array
                ? w.EnumerateArray().Select(s => Spec.Parse(s, modelPath)).ToList()
                : throw new ModelLoadException($"{modelPath}: a weightsManifest group has no 'weights' array");
            long expected = 0;
            foreach (var spec in specs)
            {
                expected += spec.ByteLength;
                total += spec.ByteLength;
                if (total > MaxWeightBytes)
                    throw new ModelLoadException(
                        $"{modelPath}: the weightsManifest declares more than {SafeFile.Bytes(MaxWeightBytes)} of weights (at '{spec.Name}'), more than this engine loads");
            }
            var bytes = ReadShards(group, dir, modelPath, expected);
            int offset = 0;
            foreach (var spec in specs)
            {
                int start = offset;
                result[spec.Name] = new TfjsWeight(spec.Name, spec.Shape, () => spec.Decode(bytes.AsSpan(start, (int)spec.ByteLength)));
                offset += (int)spec.ByteLength;
            }
        }
        return result;
    }

    /// <summary>The group's shard files, concatenated, which must hold exactly <paramref name="expected"/> bytes. Each
    /// path must stay inside the model's folder once links are resolved (as ONNX Runtime requires of external data):
    /// a model file must not make the loader read, or report the size of, any other file on the machine.</summary>
    private static byte[] ReadShards(JsonElement group, string dir, string modelPath, long expected)
    {
        if (!Json.TryGet(group, "paths", out var paths) || paths.ValueKind != JsonValueKind.Array)
            throw new ModelLoadException($"{modelPath}: a weightsManifest group has no 'paths' array");
        string model = Path.GetFileName(modelPath);
        var files = new List<(string Path, long Size)>();
        foreach (var p in paths.EnumerateArray())
        {
            string name = Json.String(p, "weightsManifest.paths", modelPath);
            if (name.Length == 0 || name.Contains('\0'))
                throw new ModelLoadException($"{modelPath}: weights path '{name}' is not a file name");
            if (Path.IsPathRooted(name))
                throw new ModelLoadException($"{modelPath}: weights path '{name}' is absolute; only paths inside the model's folder {dir} are allowed");
            string file = Path.GetFullPath(Path.Combine(dir, name));
            // First as written (../), then, once it is known to exist, with links resolved: a model kept in a linked
            // folder (models/cache may be one) with a missing shard should hear "missing", not "outside".
            if (!file.StartsWith(dir.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new ModelLoadException($"{modelPath}: weights path '{name}' leads outside the model's folder {dir}; refused");
            if (SafeFile.Stat(file).Kind == FileKind.Missing)
                throw new ModelLoadException($"{file}: weights file listed in {model} is missing");
            if (!SafeFile.IsInside(dir, file))
                throw new ModelLoadException($"{modelPath}: weights path '{name}' leads outside the model's folder {dir} through a link; refused");
            files.Add((file, SafeFile.RequireRegular(file, MaxWeightBytes, $"weights file listed in {model}", m => new ModelLoadException(m))));
        }
        string list = string.Join(" + ", files.Select(f => f.Path));
        long actual = files.Sum(f => f.Size);
        if (actual != expected)
            throw new ModelLoadException(
                $"{list}: weights file is {(actual < expected ? "shorter" : "longer")} than the manifest in {model} says: expected {expected} bytes, got {actual}");
        var bytes = new byte[expected];
        long offset = 0;
        foreach (var (file, size) in files)
        {
            SafeFile.ReadExactly(file, bytes.AsSpan((int)offset, (int)size), "weights file", m => new ModelLoadException(m));
            offset += size;
        }
        return bytes;
    }

    private sealed record Spec(string Name, int[] Shape, string Dtype, string? QuantDtype, double Min, double Scale)
    {
        public long Count => Shape.Aggregate(1L, (a, b) => a * b);
        public long ByteLength => Count * BytesPerElement;
        private int BytesPerElement => QuantDtype switch { "uint8" => 1, "uint16" or "float16" => 2, _ => 4 };

        public static Spec Parse(JsonElement s, string modelPath)
        {
            if (s.ValueKind != JsonValueKind.Object) throw new ModelLoadException($"{modelPath}: a weightsManifest entry is {Json.Kind(s)}, not an object");
            string name = Json.OptionalString(s, "name", "weightsManifest.weights.name", modelPath);
            ModelLoadException Bad(string what) => new($"{modelPath}: weight '{name}': {what}");
            if (name.Length == 0) throw new ModelLoadException($"{modelPath}: a weightsManifest entry has no name");
            if (!s.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
                throw Bad("no shape");
            int[] shape = shapeEl.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) && v >= 0 ? v
                : throw Bad($"bad shape {TfjsLayersImporter.Short(shapeEl)}")).ToArray();
            // Checked against the cap one dimension at a time, so no product of dimensions can overflow.
            long count = 1;
            foreach (int d in shape)
                if ((count *= d) > MaxWeightBytes)
                    throw Bad($"shape {TfjsLayersImporter.Short(shapeEl)} has more elements than the {SafeFile.Bytes(MaxWeightBytes)} weight limit allows");
            string dtype = Json.OptionalString(s, "dtype", $"weight '{name}'.dtype", modelPath);
            if (dtype != "float32")
                throw Bad($"dtype '{dtype}' is not supported (float32 only)");
            if (!s.TryGetProperty("quantization", out var q) || q.ValueKind == JsonValueKind.Null)
                return new Spec(name, shape, dtype, null, 0, 0);
            string qd = Json.OptionalString(q, "dtype", $"weight '{name}'.quantization.dtype", modelPath);
            if (qd == "float16")
                return new Spec(name, shape, dtype, qd, 0, 0);
            if (qd is not ("uint8" or "uint16"))
                throw Bad($"quantization dtype '{qd}' is not supported (uint8, uint16, float16)");
            if (!q.TryGetProperty("min", out var min) || !q.TryGetProperty("scale", out var scale)
                || min.ValueKind != JsonValueKind.Number || scale.ValueKind != JsonValueKind.Number)
                throw Bad("quantization without numeric min and scale");
            double lo = min.GetDouble(), step = scale.GetDouble(), top = qd == "uint8" ? byte.MaxValue : ushort.MaxValue;
            // Every code q maps to q * scale + min, stored as float32: the whole range must be finite in float32,
            // or a code silently becomes infinity (a scale of 1e300 classifies every photo the same).
            if (!double.IsFinite(lo) || !double.IsFinite(step) || !float.IsFinite((float)lo) || !float.IsFinite((float)(top * step + lo)))
                throw Bad($"quantization min {min.GetRawText()} and scale {scale.GetRawText()} give values outside float32's range");
            return new Spec(name, shape, dtype, qd, lo, step);
        }

        public float[] Decode(ReadOnlySpan<byte> b)
        {
            var v = new float[Count];
            // Same arithmetic as tfjs's io.decodeWeights: q * scale + min in double, stored as float32.
            switch (QuantDtype)
            {
                case "uint8":
                    for (int i = 0; i < v.Length; i++) v[i] = (float)(b[i] * Scale + Min);
                    break;
                case "uint16":
                    for (int i = 0; i < v.Length; i++) v[i] = (float)(BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * i)..]) * Scale + Min);
                    break;
                case "float16":
                    for (int i = 0; i < v.Length; i++) v[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(b[(2 * i)..]);
                    break;
                default:
                    for (int i = 0; i < v.Length; i++) v[i] = BinaryPrimitives.ReadSingleLittleEndian(b[(4 * i)..]);
                    break;
            }
            return v;
        }
    }
}
