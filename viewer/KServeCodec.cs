using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GpuMobileNet.Viewer.Serving;

namespace GpuMobileNet.Viewer;

/// <summary>The Open Inference Protocol's REST encoding of <see cref="InferenceRequest"/> and
/// <see cref="InferenceResponse"/>: JSON tensor data (flat or nested), and the binary tensor data extension (the JSON
/// header's length in Inference-Header-Content-Length, then each binary input's bytes in input order, little-endian;
/// BYTES elements as a 4-byte length and the bytes). Bad requests are <see cref="ServingError.BadRequest"/>.</summary>
internal static class KServeCodec
{
    public const string HeaderLength = "Inference-Header-Content-Length";

    /// <summary>The request in <paramref name="body"/>; <paramref name="headerLength"/> is the header's value (null: all
    /// JSON). Also which outputs the answer carries in binary.</summary>
    public static (InferenceRequest Request, BinaryOutputs Binary) ParseRequest(string model, string? version, byte[] body, string? headerLength)
    {
        int jsonLength = body.Length;
        if (headerLength is not null && (!int.TryParse(headerLength, CultureInfo.InvariantCulture, out jsonLength) || jsonLength < 0 || jsonLength > body.Length))
            throw Bad($"{HeaderLength}: '{headerLength}' is not a length between 0 and the body's {body.Length} bytes");
        JsonObject json;
        try { json = JsonNode.Parse(body.AsSpan(0, jsonLength)) as JsonObject ?? throw new JsonException("not a JSON object"); }
        catch (JsonException e) { throw Bad($"inference request is not valid JSON: {e.Message}"); }
        if (json["inputs"] is not JsonArray { Count: > 0 } inputs) throw Bad("the request has no \"inputs\" (a list of at least one tensor)");
        var binary = new ReadOnlyMemory<byte>(body, jsonLength, body.Length - jsonLength);
        var tensors = inputs.Select(i => ParseInput(i as JsonObject ?? throw Bad("each input must be a JSON object"), ref binary)).ToList();
        if (binary.Length > 0) throw Bad($"{binary.Length} bytes after the JSON header and the inputs' binary_data_size");
        try
        {
            var binaryOutputs = new BinaryOutputs((bool?)json["parameters"]?["binary_data_output"] == true,
                (json["outputs"] as JsonArray ?? []).Where(o => (bool?)o?["parameters"]?["binary_data"] is not null)
                    .ToDictionary(o => (string)o!["name"]!, o => (bool)o!["parameters"]!["binary_data"]!));
            return (new InferenceRequest(model, tensors)
            {
                Version = version, Id = (string?)json["id"],
                Outputs = (json["outputs"] as JsonArray)?.Select(o => new RequestedOutput(
                    (string?)o?["name"] ?? throw Bad("each requested output needs a \"name\""), (int?)o!["parameters"]?["classification"] ?? 0)).ToList(),
                Timeout = (long?)json["parameters"]?["timeout"] is { } us ? TimeSpan.FromMicroseconds(Math.Max(1, us)) : null,
            }, binaryOutputs);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or NullReferenceException)
        {
            throw Bad($"request: \"id\" and output names must be strings, \"binary_data\" booleans, \"classification\" and \"timeout\" integers ({e.Message})");
        }
    }

    private static InferTensor ParseInput(JsonObject input, ref ReadOnlyMemory<byte> binary)
    {
        string name = (string?)input["name"] ?? throw Bad("each input needs a \"name\"");
        string datatype = (input["datatype"] as JsonValue)?.ToString() ?? throw Bad($"input '{name}' needs a \"datatype\"");
        long[] shape;
        try { shape = (input["shape"] as JsonArray)?.Select(v => (long)v!).ToArray() ?? throw new FormatException(); }
        catch (Exception e) when (e is FormatException or InvalidOperationException or NullReferenceException) { throw Bad($"input '{name}': \"shape\" must be an array of integers"); }
        if (shape.Any(d => d < 0)) throw Bad($"input '{name}': shape {InferTensor.ShapeText(shape)} has a negative dimension");
        var tensor = new InferTensor(name, datatype, shape);
        long count = shape.Length == 0 ? 0 : tensor.ElementCount;
        int width = InferTensor.ByteWidth(datatype);
        if (width == 0) return tensor; // the model refuses the datatype, naming what it takes
        if (input["parameters"]?["binary_data_size"] is { } sizeNode)
        {
            long size = (long)sizeNode;
            if (size != count * width)
                throw Bad($"input '{name}': binary_data_size {size} but {datatype} {InferTensor.ShapeText(shape)} is {count * width} bytes");
            if (size > binary.Length)
                throw Bad($"input '{name}': binary_data_size {size} but the body has only {binary.Length} bytes after the JSON header and the inputs before");
            var bytes = binary[..(int)size].Span;
            binary = binary[(int)size..];
            return InferTensor.FromRaw(name, datatype, shape, bytes);
        }
        if (input["data"] is not JsonArray data) throw Bad($"input '{name}': no \"data\" and no binary_data_size parameter");
        var values = new List<double>();
        Flatten(data, values, count, name); // the model checks the count against the shape, after the shape itself
        if (width == 4) return tensor with { Floats = values.Select(v => (float)v).ToArray() };
        if (values.Any(v => v is < 0 or > 255 || v != Math.Floor(v))) throw Bad($"input '{name}': UINT8 data must be integers 0..255");
        return tensor with { Bytes = values.Select(v => (byte)v).ToArray() };
    }

    /// <summary>Nested or flat data, row-major; stops past <paramref name="limit"/> values (the count check then fails).</summary>
    private static void Flatten(JsonArray array, List<double> into, long limit, string name)
    {
        foreach (var item in array)
        {
            if (into.Count > limit) return;
            if (item is JsonArray nested) Flatten(nested, into, limit, name);
            else if (item is JsonValue v && v.TryGetValue(out double d)) into.Add(d);
            else throw Bad($"input '{name}': data holds a non-number ({item?.ToJsonString() ?? "null"})");
        }
    }

    /// <summary>The response: JSON, or the JSON header and the binary outputs (<paramref name="headerLength"/> set to
    /// the header's length) where any output is binary. Written straight to UTF-8 (no JSON tree: a classifier's 1000
    /// scores would be 1000 nodes a request).</summary>
    public static (byte[] Body, int? HeaderLength) WriteResponse(InferenceResponse response, BinaryOutputs binary)
    {
        var header = new ArrayBufferWriter<byte>();
        var raw = new List<byte[]>();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteString("model_name", response.Model);
            json.WriteString("model_version", response.Version);
            if (response.Id is not null) json.WriteString("id", response.Id);
            json.WriteStartArray("outputs");
            foreach (var t in response.Outputs)
            {
                json.WriteStartObject();
                json.WriteString("name", t.Name);
                json.WriteString("datatype", t.Datatype);
                json.WriteStartArray("shape");
                foreach (var d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                if (binary.IsBinary(t.Name))
                {
                    raw.Add(t.ToRaw());
                    json.WriteStartObject("parameters");
                    json.WriteNumber("binary_data_size", raw[^1].Length);
                    json.WriteEndObject();
                }
                else WriteData(json, t);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        if (raw.Count == 0) return (header.WrittenSpan.ToArray(), null);
        var body = new byte[header.WrittenCount + raw.Sum(r => r.Length)];
        header.WrittenSpan.CopyTo(body);
        int at = header.WrittenCount;
        foreach (var r in raw)
        {
            r.CopyTo(body, at);
            at += r.Length;
        }
        return (body, header.WrittenCount);
    }

    private static void WriteData(Utf8JsonWriter json, InferTensor t)
    {
        json.WriteStartArray("data");
        if (t.Strings is { } strings)
            foreach (var v in strings) json.WriteStringValue(v);
        else
            foreach (var v in t.Floats!) json.WriteNumberValue(v);
        json.WriteEndArray();
    }

    private static ServingException Bad(string message) => new(ServingError.BadRequest, message);
}

/// <summary>Which outputs an answer carries in the binary section: those asked for with "binary_data": true, and every
/// other one when the request's parameters say "binary_data_output": true.</summary>
internal sealed record BinaryOutputs(bool All, IReadOnlyDictionary<string, bool> PerOutput)
{
    public bool IsBinary(string output) => PerOutput.TryGetValue(output, out bool b) ? b : All;
}
