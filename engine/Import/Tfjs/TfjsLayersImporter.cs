using System.Text.Json;
using GpuMobileNet.Graph;
using GpuMobileNet.IO;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Import.Tfjs;

/// <summary>Imports a TensorFlow.js layers model (model.json + weight shards, as written by
/// tensorflowjs_converter from Keras) into a <see cref="ModelGraph"/>. Supports the layers of a Keras
/// MobileNetV2 with a dense head; anything else fails with a message naming the layer.</summary>
internal static class TfjsLayersImporter
{
    /// <summary>Loads <paramref name="modelJsonPath"/>; weight shard paths in its manifest are relative
    /// to the folder of the json file.</summary>
    /// <exception cref="ModelLoadException">The file is missing, corrupt, truncated or unsupported.</exception>
    public static ModelGraph Load(string modelJsonPath)
    {
        ArgumentNullException.ThrowIfNull(modelJsonPath);
        var bytes = SafeFile.ReadAllBytes(modelJsonPath, MaxModelJsonBytes, "model file", m => new ModelLoadException(m));
        using var doc = ParseJson(bytes, modelJsonPath);
        try
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("modelTopology", out var topology))
                throw new ModelLoadException($"{modelJsonPath}: not a TF.js layers model (no 'modelTopology')");
            if (topology.ValueKind != JsonValueKind.Object)
                throw new ModelLoadException($"{modelJsonPath}: 'modelTopology' is {Json.Kind(topology)}, not an object");
            // tensorflowjs_converter nests the Keras config under model_config; tfjs's own save() does not.
            var model = topology.TryGetProperty("model_config", out var mc) ? Json.Object(mc, "modelTopology.model_config", modelJsonPath) : topology;
            var (graphName, layers, outputName) = ReadTopology(model, modelJsonPath);
            var weights = TfjsWeights.Read(root.TryGetProperty("weightsManifest", out var wm) ? wm : default, modelJsonPath);
            return BuildGraph(graphName, layers, outputName, weights, modelJsonPath);
        }
        catch (InvalidGraphException e)
        {
            throw new ModelLoadException($"{modelJsonPath}: {e.Message}", e);
        }
        // (The stack trace, not TargetSite: the NativeAOT build of libgpumobilenet keeps no reflection metadata for the latter.)
        catch (InvalidOperationException e) when (e.StackTrace?.Contains("System.Text.Json", StringComparison.Ordinal) == true)
        {
            // A JSON value of the wrong kind somewhere the checks above do not name: still one line naming the file.
            throw new ModelLoadException($"{modelJsonPath}: unexpected JSON structure ({e.Message})", e);
        }
    }

    /// <summary>The largest model.json read: the nsfwjs MobileNetV2's is 118 KB; the topology of any MobileNet-sized
    /// network is far below this.</summary>
    public const long MaxModelJsonBytes = 64L * 1024 * 1024;

    /// <summary>How deep JSON may nest: a Keras topology needs about 10 levels.</summary>
    public const int MaxJsonDepth = 64;

    private static JsonDocument ParseJson(byte[] bytes, string path)
    {
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : "";
            // The reader's own words say why (e.g. the depth limit); its position suffix is already in 'where'.
            string why = e.Message.Split(" LineNumber:")[0].Split(" Path:")[0].Trim().TrimEnd('.', ' ', '|');
            if (why.Length > 160) why = why[..157] + "..."; // the reader quotes the bad text, which may be long
            throw new ModelLoadException($"{path}: not valid JSON{where}: {why}", e);
        }
    }

    private static (string Name, List<KerasLayer> Layers, string Output) ReadTopology(JsonElement model, string file)
    {
        string className = Json.OptionalString(model, "class_name", "class_name", file);
        if (className is not ("Model" or "Functional" or "Sequential"))
            throw new ModelLoadException($"{file}: model class '{className}' is not supported (Model, Functional, Sequential)");
        if (!model.TryGetProperty("config", out var config))
            throw new ModelLoadException($"{file}: model has no 'config'");
        // Old Sequential configs are a bare list of layers.
        var layersEl = config.ValueKind == JsonValueKind.Array ? config
            : Json.TryGet(config, "layers", out var l) && l.ValueKind == JsonValueKind.Array ? l
            : throw new ModelLoadException($"{file}: model config has no 'layers' array");

        var layers = new List<KerasLayer>();
        int index = 0;
        foreach (var el in layersEl.EnumerateArray())
        {
            string field = $"layers[{index++}]";
            Json.Object(el, field, file);
            var cfg = el.TryGetProperty("config", out var c) && c.ValueKind != JsonValueKind.Null ? Json.Object(c, field + ".config", file) : default;
            string name = Json.OptionalString(el, "name", field + ".name", file, Json.OptionalString(cfg, "name", field + ".config.name", file));
            string cls = Json.OptionalString(el, "class_name", field + ".class_name", file);
            if (name.Length == 0) throw new ModelLoadException($"{file}: a {cls} layer ({field}) has no name");
            var inbound = el.TryGetProperty("inbound_nodes", out var ib) ? ReadInbound(ib, name, file)
                : className == "Sequential" && layers.Count > 0 ? [layers[^1].Name] : [];
            layers.Add(new KerasLayer(name, cls, cfg, inbound, file));
        }
        if (layers.Count == 0) throw new ModelLoadException($"{file}: model has no layers");

        string output = layers[^1].Name;
        if (Json.TryGet(config, "output_layers", out var outs))
        {
            var list = Json.Array(outs, "output_layers", file).EnumerateArray().ToList();
            if (list.Count != 1)
                throw new ModelLoadException($"{file}: model has {list.Count} outputs; only single-output models are supported");
            if (list[0].ValueKind != JsonValueKind.Array || list[0].GetArrayLength() == 0 || list[0][0].ValueKind != JsonValueKind.String)
                throw new ModelLoadException($"{file}: 'output_layers' entry {list[0].GetRawText()} is not [\"layer name\", node, tensor]");
            output = list[0][0].GetString()!;
        }
        return (Json.OptionalString(config, "name", "config.name", file, "model"), layers, output);
    }

    /// <summary>Keras 2 inbound_nodes: [[["layer", nodeIndex, tensorIndex, {kwargs}], ...]], one entry
    /// per call of the layer. A layer called more than once (shared weights) is not supported.</summary>
    private static List<string> ReadInbound(JsonElement ib, string layer, string file)
    {
        if (ib.ValueKind != JsonValueKind.Array)
            throw new ModelLoadException($"{file}: layer '{layer}': inbound_nodes is not an array");
        var calls = ib.EnumerateArray().ToList();
        if (calls.Count == 0) return [];
        if (calls.Count > 1)
            throw new ModelLoadException($"{file}: layer '{layer}' is called {calls.Count} times; shared layers are not supported");
        if (calls[0].ValueKind != JsonValueKind.Array)
            throw new ModelLoadException($"{file}: layer '{layer}': inbound_nodes are not in the Keras 2 format");
        return calls[0].EnumerateArray().Select(t =>
            t.ValueKind == JsonValueKind.Array && t.GetArrayLength() >= 1 && t[0].ValueKind == JsonValueKind.String
                ? t[0].GetString()!
                : throw new ModelLoadException($"{file}: layer '{layer}': inbound node {Short(t)} is not understood")).ToList();
    }

    private static ModelGraph BuildGraph(string graphName, List<KerasLayer> layers, string outputName,
        Dictionary<string, TfjsWeight> weights, string file)
    {
        var byName = new Dictionary<string, KerasLayer>(StringComparer.Ordinal);
        foreach (var layer in layers)
            if (!byName.TryAdd(layer.Name, layer))
                throw new ModelLoadException($"{file}: two layers are named '{layer.Name}'");

        var inputs = layers.Where(l => l.ClassName == "InputLayer").ToList();
        KerasLayer inputLayer = inputs.Count == 1 ? inputs[0]
            : inputs.Count == 0 && layers[0].Has("batch_input_shape") ? layers[0] // Sequential without InputLayer
            : throw new ModelLoadException($"{file}: model has {inputs.Count} input layers; exactly one is supported");
        var builder = new GraphBuilder(graphName, InputShape(inputLayer), inputLayer.ClassName == "InputLayer" ? inputLayer.Name : "input");
        var converter = new KerasLayerConverter(builder, weights, file);

        var values = new Dictionary<string, Value>(StringComparer.Ordinal);
        if (inputLayer.ClassName == "InputLayer") values[inputLayer.Name] = builder.Input;
        var visiting = new HashSet<string>(StringComparer.Ordinal);

        // Depth-first from the output, so layers are emitted in a valid topological order even if the file lists
        // them otherwise, and layers the output does not depend on are left out. An explicit stack, not recursion:
        // a chain of tens of thousands of layers must not overflow the thread's stack. Each layer is pushed once to
        // expand its inputs and once more (Ready) to convert it after them; 'visiting' holds the expanded layers not
        // yet converted, which are exactly the ones on the current path, so reaching one again is a cycle.
        var stack = new Stack<(string Name, bool Ready)>();
        stack.Push((outputName, false));
        while (stack.Count > 0)
        {
            var (name, ready) = stack.Pop();
            if (values.ContainsKey(name)) continue;
            if (!byName.TryGetValue(name, out var layer))
                throw new ModelLoadException($"{file}: a layer reads '{name}', which is not in the model");
            if (!ready)
            {
                if (!visiting.Add(name))
                    throw new ModelLoadException($"{file}: layer '{name}' is part of a cycle");
                stack.Push((name, true));
                if (layer == inputLayer) continue;
                for (int i = layer.Inbound.Count - 1; i >= 0; i--)
                {
                    string input = layer.Inbound[i];
                    if (visiting.Contains(input))
                        throw new ModelLoadException($"{file}: layer '{input}' is part of a cycle");
                    if (!values.ContainsKey(input)) stack.Push((input, false));
                }
                continue;
            }
            var ins = layer == inputLayer ? [builder.Input] : layer.Inbound.Select(n => values[n]).ToList();
            if (ins.Count == 0)
                throw new ModelLoadException($"{file}: layer '{name}' ({layer.ClassName}) has no inputs");
            values[name] = converter.Convert(layer, ins);
            visiting.Remove(name);
        }
        return builder.Build(values[outputName]);
    }

    private static TensorShape InputShape(KerasLayer input)
    {
        var shapeEl = input.Get("batch_input_shape");
        var dims = shapeEl.ValueKind == JsonValueKind.Array ? shapeEl.EnumerateArray().ToList() : [];
        var hwc = dims.Skip(1).Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out int n) && n > 0 ? n : 0).ToArray();
        if (dims.Count != 4 || hwc.Contains(0))
            throw input.Error($"batch_input_shape {Short(shapeEl)} is not [batch, H, W, C] with positive integers H, W, C");
        return new TensorShape(hwc[2], hwc[0], hwc[1]);
    }

    /// <summary>A JSON value for a message: its text, cut short so a hostile file cannot make a huge message.</summary>
    internal static string Short(JsonElement e)
    {
        string text = e.GetRawText();
        return text.Length <= 80 ? text : text[..77] + "...";
    }
}
