using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Export.Hlsl;

/// <summary>Writes what a game engine needs to run a session's network with its own HLSL compute shaders: one HLSL file per
/// distinct specialised kernel (the generated HLSL with its constants defined at the top), the packed weights
/// (weights.bin, float32 little-endian) and manifest.json: the bindings, the push-constant block, the activation arena
/// (size, input and output offsets) and every dispatch in order (kernel file, grid, push constants, uniform-window
/// offsets). The kernels and the dispatch list are the ones the session chose for its device.
/// Thread-safety: thread-safe (no state of its own); the session must not be disposed while it writes.</summary>
public static class HlslExporter
{
    /// <summary>The fields of the push-constant block (cbuffer Offsets), element offsets into the arena or the weights.</summary>
    internal static readonly string[] PushFields = ["pc_in0", "pc_in1", "pc_out0", "pc_weights", "pc_bias", "pc_aux0", "pc_aux1", "pc_aux2"];

    /// <summary>Writes the export into <paramref name="directory"/> (created if missing); returns the kernel files written.</summary>
    public static IReadOnlyList<string> Write(InferenceSession session, string directory)
    {
        if (session.Precision != Precision.Float32)
            throw new NotSupportedException($"export-hlsl: only float32 kernels are translated to HLSL; the session runs {session.Precision}");
        if (session.WeightPages.Count > 1)
            throw new NotSupportedException($"export-hlsl: '{session.Graph.Name}' keeps its weights in {session.WeightPages.Count} buffers " +
                "(more than one storage-buffer binding of the device spans); the exported kernels bind one");
        Directory.CreateDirectory(directory);
        var kernels = new List<(string File, KernelDispatch First, string Hlsl)>();
        var fileOf = new Dictionary<string, string>();
        foreach (var d in session.Dispatches)
        {
            var key = KeyOf(d);
            if (fileOf.ContainsKey(key)) continue;
            var hlsl = ShaderLibrary.GetHlsl(d.Shader)
                ?? throw new NotSupportedException($"export-hlsl: kernel '{d.Shader}' ({d.Label}) has no HLSL form");
            var file = $"k{kernels.Count:D2}_{d.Shader}.hlsl";
            fileOf[key] = file;
            kernels.Add((file, d, hlsl));
        }
        foreach (var (file, first, hlsl) in kernels)
            File.WriteAllText(Path.Combine(directory, file), Specialise(session, file, first, hlsl, fileOf));

        var weights = new float[session.WeightBytes / 4];
        session.WeightPages[0].Download<float>(0, weights);
        using (var stream = File.Create(Path.Combine(directory, "weights.bin")))
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights.AsSpan()));
        using (var stream = File.Create(Path.Combine(directory, "manifest.json")))
            WriteManifest(session, stream, kernels, fileOf);
        return kernels.Select(k => k.File).ToList();
    }

    private static string KeyOf(KernelDispatch d) => d.Shader + ":" + string.Join(',', d.SpecConstants);

    /// <summary>The generated HLSL with this specialisation's constants defined before it (its #ifndef defaults then give way).</summary>
    private static string Specialise(InferenceSession session, string file, KernelDispatch first, string hlsl, Dictionary<string, string> fileOf)
    {
        var users = session.Dispatches.Select((d, i) => (d, i)).Where(x => fileOf[KeyOf(x.d)] == file).Select(x => $"{x.i} {x.d.Label}");
        var names = HlslConstants.Declared(hlsl).ToDictionary(c => c.Id, c => c.Name);
        var text = new StringBuilder();
        text.AppendLine($"// {file}: kernel '{first.Shader}' of '{session.Graph.Name}', specialised by gmn export-hlsl (see manifest.json).");
        text.AppendLine($"// Dispatches: {string.Join("; ", users)}");
        text.AppendLine("// Define GMN_PUSH_CONSTANT as [[vk::push_constant]] for a Vulkan target; leave it empty for D3D (an ordinary cbuffer).");
        foreach (var (name, value) in HlslConstants.Defines(hlsl, first.SpecConstants))
        {
            int id = int.Parse(name["SPIRV_CROSS_CONSTANT_ID_".Length..], CultureInfo.InvariantCulture);
            string meaning = id == 0 ? "workgroup size ([numthreads] x)" : names.GetValueOrDefault(id, "unused by this kernel");
            text.AppendLine($"#define {name} {value} // {meaning}");
        }
        return text.Append(hlsl).ToString();
    }

    private static void WriteManifest(InferenceSession session, Stream stream, List<(string File, KernelDispatch First, string Hlsl)> kernels,
        Dictionary<string, string> fileOf)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("model", session.Graph.Name);
        json.WriteString("device", session.Device.Name);
        json.WriteNumber("batch", session.Batch);
        json.WriteString("precision", "float32");
        json.WriteString("layout", "NCHW in the arena; offsets are in float elements unless named ...Bytes");
        json.WriteNumber("arenaBytes", session.ArenaBytes);
        json.WriteStartObject("input");
        WriteValue(json, session, session.Graph.Input);
        json.WriteEndObject();
        json.WriteStartArray("outputs");
        foreach (var v in session.Graph.Outputs)
        {
            json.WriteStartObject();
            WriteValue(json, session, v);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("weightsFile", "weights.bin");
        json.WriteNumber("weightsBytes", session.WeightBytes);
        json.WriteNumber("uniformWindowBytes", session.Device.UniformWindowBytes);
        json.WriteStartArray("bindings");
        Binding(json, 0, "u0", "RWByteAddressBuffer", "the activation arena (arenaBytes)");
        Binding(json, 1, "t1", "ByteAddressBuffer", "the weights (weights.bin)");
        Binding(json, 2, "b2", "cbuffer", "a window of uniformWindowBytes over the weights at the dispatch's uniformWindowOffsets[0] (dynamic offset)");
        Binding(json, 3, "b3", "cbuffer", "a second window over the weights at uniformWindowOffsets[1]");
        Binding(json, 4, "t4", "Buffer<float4>", "the activation arena as float4 texels");
        Binding(json, 5, "t5", "Buffer<float4>", "the weights as float4 texels");
        json.WriteEndArray();
        json.WriteStartObject("pushConstants");
        json.WriteString("cbuffer", "Offsets");
        json.WriteString("marker", "GMN_PUSH_CONSTANT");
        json.WriteStartArray("fields");
        foreach (var f in PushFields) json.WriteStringValue(f);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteString("barriers", "a UAV barrier (compute to compute, shader write to read/write) between consecutive dispatches is always enough");
        json.WriteStartArray("kernels");
        foreach (var (file, first, hlsl) in kernels)
        {
            json.WriteStartObject();
            json.WriteString("file", file);
            json.WriteString("kernel", first.Shader);
            json.WriteNumber("numthreads", first.SpecConstants.Length > 0 ? first.SpecConstants[0] : 1);
            json.WriteStartArray("constants");
            var names = HlslConstants.Declared(hlsl).ToDictionary(c => c.Id, c => (c.Name, c.Type));
            for (int id = 0; id < first.SpecConstants.Length; id++)
            {
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteString("name", id == 0 ? "workgroup_size" : names.TryGetValue(id, out var n) ? n.Name : "unused");
                if (names.TryGetValue(id, out var t) && t.Type == "float")
                    json.WriteNumber("value", BitConverter.Int32BitsToSingle(first.SpecConstants[id]));
                else
                    json.WriteNumber("value", first.SpecConstants[id]);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("dispatches");
        foreach (var d in session.Dispatches)
        {
            json.WriteStartObject();
            json.WriteString("label", d.Label);
            json.WriteString("file", fileOf[KeyOf(d)]);
            json.WriteStartArray("groups");
            json.WriteNumberValue(d.Groups.X);
            json.WriteNumberValue(d.Groups.Y);
            json.WriteNumberValue(d.Groups.Z);
            json.WriteEndArray();
            json.WriteStartObject("push");
            var push = d.Push.ToArray();
            for (int i = 0; i < PushFields.Length; i++) json.WriteNumber(PushFields[i], push[i]);
            json.WriteEndObject();
            json.WriteStartArray("uniformWindowOffsets");
            json.WriteNumberValue(d.UniformWindowOffsetBytes);
            json.WriteNumberValue(d.UniformWindow2OffsetBytes);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, InferenceSession session, Graph.Value v)
    {
        json.WriteString("name", v.Name);
        json.WriteStartArray("shape");
        foreach (var n in new[] { session.Batch, v.Shape.C, v.Shape.H, v.Shape.W }) json.WriteNumberValue(n);
        json.WriteEndArray();
        json.WriteNumber("arenaOffset", session.Memory.OffsetOf(v));
    }

    private static void Binding(Utf8JsonWriter json, int binding, string register, string type, string holds)
    {
        json.WriteStartObject();
        json.WriteNumber("binding", binding);
        json.WriteString("register", register);
        json.WriteString("type", type);
        json.WriteString("holds", holds);
        json.WriteEndObject();
    }
}
