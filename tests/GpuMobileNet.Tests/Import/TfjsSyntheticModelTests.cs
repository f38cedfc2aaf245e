using System.Text.Json.Nodes;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Import.Tfjs;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import;

/// <summary>Small hand-written TF.js models whose converted weights can be derived by hand.</summary>
public class TfjsSyntheticModelTests
{
    [Test]
    public void DenseAfterFlattenOfASpatialMapPermutesToNchwOrder()
    {
        // Input 2x2 spatial, 3 channels → Flatten → Dense(2). Keras kernel[i, o] = 10 i + o, where Keras
        // numbers flattened inputs i = (h*2 + w)*3 + c. Our flatten numbers them j = c*4 + h*2 + w.
        using var dir = new TempDir();
        var kernel = new float[12 * 2];
        for (int i = 0; i < 12; i++)
            for (int o = 0; o < 2; o++)
                kernel[i * 2 + o] = 10 * i + o;
        WriteModel(dir, [0.5f, -0.5f], kernel);

        var g = TfjsLayersImporter.Load(dir.File("model.json"));
        var dense = g.Nodes.OfType<DenseOp>().Single();
        Assert.That(dense.Bias, Is.EqualTo(new[] { 0.5f, -0.5f }));
        for (int c = 0; c < 3; c++)
            for (int h = 0; h < 2; h++)
                for (int w = 0; w < 2; w++)
                    for (int o = 0; o < 2; o++)
                    {
                        int j = c * 4 + h * 2 + w, i = (h * 2 + w) * 3 + c;
                        Assert.That(dense.Weights[o * 12 + j], Is.EqualTo(10f * i + o), $"o{o} c{c} h{h} w{w}");
                    }
    }

    // Unquantised float32 weights: the other decode path of the manifest.
    private static void WriteModel(TempDir dir, float[] bias, float[] kernel)
    {
        var layers = new JsonArray(
            Layer("in", "InputLayer", new JsonObject { ["batch_input_shape"] = new JsonArray(null, 2, 2, 3) }, null),
            Layer("flat", "Flatten", new JsonObject { ["data_format"] = "channels_last" }, "in"),
            Layer("fc", "Dense", new JsonObject { ["units"] = 2, ["activation"] = "linear", ["use_bias"] = true }, "flat"));
        var model = new JsonObject
        {
            ["format"] = "layers-model",
            ["modelTopology"] = new JsonObject
            {
                ["class_name"] = "Model",
                ["config"] = new JsonObject
                {
                    ["name"] = "tiny", ["layers"] = layers,
                    ["input_layers"] = new JsonArray(new JsonArray("in", 0, 0)),
                    ["output_layers"] = new JsonArray(new JsonArray("fc", 0, 0)),
                },
            },
            ["weightsManifest"] = new JsonArray(new JsonObject
            {
                ["paths"] = new JsonArray("w.bin"),
                ["weights"] = new JsonArray(
                    new JsonObject { ["name"] = "fc/bias", ["shape"] = new JsonArray(2), ["dtype"] = "float32" },
                    new JsonObject { ["name"] = "fc/kernel", ["shape"] = new JsonArray(12, 2), ["dtype"] = "float32" }),
            }),
        };
        File.WriteAllText(dir.File("model.json"), model.ToJsonString());
        File.WriteAllBytes(dir.File("w.bin"), bias.Concat(kernel).SelectMany(BitConverter.GetBytes).ToArray());
    }

    private static JsonObject Layer(string name, string cls, JsonObject config, string? input) => new()
    {
        ["name"] = name,
        ["class_name"] = cls,
        ["config"] = config,
        ["inbound_nodes"] = input is null ? new JsonArray() : new JsonArray(new JsonArray(new JsonArray(input, 0, 0, new JsonObject()))),
    };
}
