using System.Text.Json;
using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Import.Tfjs;

/// <summary>Imports a TensorFlow.js layers model (model.json + weight shards, as written by
/// tensorflowjs_converter from Keras) into a <see cref="ModelGraph"/>. Supports the layers of a Keras
/// MobileNetV2 with a dense head; anything else fails with a message naming the layer.</summary>
public static class TfjsLayersImporter
{
    /// <summary>Loads <paramref name="modelJsonPath"/>; weight shard paths in its manifest are relative
    /// to the folder of the json file.</summary>
    /// <exception cref="ModelLoadException">The file is missing, corrupt, truncated or unsupported.</exception>
    public static ModelGraph Load(string modelJsonPath)
    {
        if (!File.Exists(modelJsonPath))
            throw new ModelLoadException($"{modelJsonPath}: model file not found");
        using var doc = ParseJson(modelJsonPath);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("modelTopology", out var topology))
            throw new ModelLoadException($"{modelJsonPath}: not a TF.js layers model (no 'modelTopology')");
        // tensorflowjs_converter nests the Keras config under model_config; tfjs's own save() does not.
        var model = topology.TryGetProperty("model_config", out var mc) ? mc : topology;
        var (graphName, layers, outputName) = ReadTopology(model, modelJsonPath);
        var weights = TfjsWeights.Read(root.TryGetProperty("weightsManifest", out var wm) ? wm : default, modelJsonPath);
        try
        {
            return BuildGraph(graphName, layers, outputName, weights, modelJsonPath);
        }
        catch (InvalidGraphException e)
        {
            throw new ModelLoadException($"{modelJsonPath}: {e.Message}", e);
        }
    }

    private static JsonDocument ParseJson(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : "";
            throw new ModelLoadException($"{path}: not valid JSON{where}", e);
        }
    }

    private static (string Name, List<KerasLayer> Layers, string Output) ReadTopology(JsonElement model, string file)
    {
        string className = model.TryGetProperty("class_name", out var cn) ? cn.GetString() ?? "" : "";
        if (className is not ("Model" or "Functional" or "Sequential"))
            throw new ModelLoadException($"{file}: model class '{className}' is not supported (Model, Functional, Sequential)");
        if (!model.TryGetProperty("config", out var config))
            throw new ModelLoadException($"{file}: model has no 'config'");
        // Old Sequential configs are a bare list of layers.
        var layersEl = config.ValueKind == JsonValueKind.Array ? config
            : config.TryGetProperty("layers", out var l) && l.ValueKind == JsonValueKind.Array ? l
            : throw new ModelLoadException($"{file}: model config has no 'layers' array");

        var layers = new List<KerasLayer>();
        foreach (var el in layersEl.EnumerateArray())
        {
            var cfg = el.TryGetProperty("config", out var c) ? c : default;
            string name = el.TryGetProperty("name", out var n) ? n.GetString() ?? ""
                : cfg.ValueKind == JsonValueKind.Object && cfg.TryGetProperty("name", out var cfgName) ? cfgName.GetString() ?? "" : "";
            string cls = el.TryGetProperty("class_name", out var k) ? k.GetString() ?? "" : "";
            if (name.Length == 0) throw new ModelLoadException($"{file}: a {cls} layer has no name");
            var inbound = el.TryGetProperty("inbound_nodes", out var ib) ? ReadInbound(ib, name, file)
                : className == "Sequential" && layers.Count > 0 ? [layers[^1].Name] : [];
            layers.Add(new KerasLayer(name, cls, cfg, inbound, file));
        }
        if (layers.Count == 0) throw new ModelLoadException($"{file}: model has no layers");

        string output = layers[^1].Name;
        if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("output_layers", out var outs))
        {
            var list = outs.EnumerateArray().ToList();
            if (list.Count != 1)
                throw new ModelLoadException($"{file}: model has {list.Count} outputs; only single-output models are supported");
            output = list[0][0].GetString() ?? "";
        }
        return (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("name", out var gn) ? gn.GetString() ?? "model" : "model", layers, output);
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
                : throw new ModelLoadException($"{file}: layer '{layer}': inbound node {t.GetRawText()} is not understood")).ToList();
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

        // Depth-first from the output, so layers are emitted in a valid topological order even if
        // the file lists them otherwise, and layers the output does not depend on are left out.
        Value Resolve(string name)
        {
            if (values.TryGetValue(name, out var done)) return done;
            if (!byName.TryGetValue(name, out var layer))
                throw new ModelLoadException($"{file}: a layer reads '{name}', which is not in the model");
            if (!visiting.Add(name))
                throw new ModelLoadException($"{file}: layer '{name}' is part of a cycle");
            var ins = layer == inputLayer ? [builder.Input] : layer.Inbound.Select(Resolve).ToList();
            if (ins.Count == 0)
                throw new ModelLoadException($"{file}: layer '{name}' ({layer.ClassName}) has no inputs");
            var v = converter.Convert(layer, ins);
            values[name] = v;
            return v;
        }

        return builder.Build(Resolve(outputName));
    }

    private static TensorShape InputShape(KerasLayer input)
    {
        var shapeEl = input.Get("batch_input_shape");
        var dims = shapeEl.ValueKind == JsonValueKind.Array ? shapeEl.EnumerateArray().ToList() : [];
        if (dims.Count != 4 || dims.Skip(1).Any(d => d.ValueKind != JsonValueKind.Number || d.GetInt32() <= 0))
            throw input.Error($"batch_input_shape {shapeEl.GetRawText()} is not [batch, H, W, C] with a fixed H, W, C");
        return new TensorShape(dims[3].GetInt32(), dims[1].GetInt32(), dims[2].GetInt32());
    }
}
