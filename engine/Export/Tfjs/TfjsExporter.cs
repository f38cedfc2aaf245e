using System.Text.Json.Nodes;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Export.Tfjs;

/// <summary>Writes a <see cref="ModelGraph"/> of MobileNet-style ops as a TF.js layers model (model.json, Keras
/// functional topology, channels-last, plus one float32 weights file) that @tensorflow/tfjs's loadLayersModel and our
/// own TF.js importer read: Conv2D / DepthwiseConv2D (explicit padding as ZeroPadding2D), BatchNormalization, ReLU,
/// Add, pooling, Flatten, Dense (a following Softmax becomes its activation). An op Keras has no layer for (an LRN,
/// say) is refused naming it. Thread-safety: thread-safe (no state of its own).</summary>
internal static class TfjsExporter
{
    /// <summary>The weights file's name, beside model.json.</summary>
    public const string WeightsFile = "weights.bin";

    /// <summary>model.json's text and the weights file's bytes for <paramref name="graph"/>.</summary>
    /// <exception cref="NotSupportedException">An op has no Keras layer here; the message names it.</exception>
    public static (string ModelJson, byte[] Weights) ToFiles(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (graph.ExtraInputs.Count > 0) throw new NotSupportedException($"TF.js export: graph '{graph.Name}' has more than one input");
        var writer = new KerasLayerWriter(graph);
        foreach (var node in graph.Nodes) writer.Add(node);
        var topology = new JsonObject
        {
            ["class_name"] = "Model",
            ["config"] = new JsonObject
            {
                ["name"] = KerasLayerWriter.Sanitise(graph.Name), ["layers"] = writer.Layers,
                ["input_layers"] = new JsonArray(new JsonArray(writer.InputLayer, 0, 0)),
                ["output_layers"] = new JsonArray(new JsonArray(writer.LayerOf(graph.Output), 0, 0)),
            },
            ["keras_version"] = "2.13.1", ["backend"] = "tensorflow",
        };
        var model = new JsonObject
        {
            ["format"] = "layers-model", ["generatedBy"] = "GpuMobileNet", ["convertedBy"] = null,
            ["modelTopology"] = topology,
            ["weightsManifest"] = new JsonArray(new JsonObject { ["paths"] = new JsonArray(WeightsFile), ["weights"] = writer.Manifest }),
        };
        return (model.ToJsonString(), writer.WeightBytes());
    }
}
