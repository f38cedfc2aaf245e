using GpuMobileNet.Graph;
using GpuMobileNet.Import.Onnx;
using GpuMobileNet.Models;

namespace GpuMobileNet.Cli.Commands;

/// <summary>What gmn inspect reports, as text or (--json) as one document; and, for an ONNX model whose input size is
/// dynamic and not given, what the file itself states.</summary>
internal static class InspectReport
{
    public const string InputSizeHint = "give --input-size HxW to see the layers";

    /// <summary>The model summary; <paramref name="layers"/> and <paramref name="memory"/> add their rows when asked for.</summary>
    public static object Document(ModelSource source, ModelGraph graph, GraphStats stats, bool layers, object? memory)
    {
        var paper = Paper(source);
        return new
        {
            model = source.Describe(), dynamic = false, warnings = source.LoadWarnings,
            inputs = graph.Inputs.Select(v => new { name = v.Name, shape = v.Shape.ToString() }),
            outputs = graph.Outputs.Select(v => new { name = v.Name, shape = v.Shape.ToString() }),
            ops = graph.Nodes.Count,
            opCounts = stats.Nodes.GroupBy(n => n.OpType).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            onnxOpCounts = source.OnnxPath is { } onnx ? OnnxImporter.OpCounts(onnx) : null,
            imageInput = source.OnnxPath is null ? null : Imaging.ImageInput.Of(graph).ToString(),
            parameters = stats.Params, multiplyAdds = stats.MultiplyAdds,
            paper = paper is null ? null : new { parametersM = paper.PaperParamsM, multiplyAddsM = paper.PaperMultiplyAddsM },
            layers = !layers ? null : stats.Nodes.Zip(graph.Nodes).Select(p => new
            {
                name = p.First.Name, op = p.First.OpType, output = p.First.OutputShape.ToString(), layout = p.Second.Output.Layout.ToString(),
                parameters = p.First.Params, multiplyAdds = p.First.MultiplyAdds,
            }),
            memory,
        };
    }

    /// <summary>An ONNX model with a dynamic input size and no --input-size: its declared inputs and outputs (dynamic
    /// dims by their symbolic names, else "?") and op counts; the layers need a size to be built.</summary>
    public static int Dynamic(string file, (IReadOnlyList<OnnxDeclaredValue> Inputs, IReadOnlyList<OnnxDeclaredValue> Outputs) signature, bool json)
    {
        var opCounts = OnnxImporter.OpCounts(file);
        if (json)
        {
            static object Values(IEnumerable<OnnxDeclaredValue> values) =>
                values.Select(v => new { name = v.Name, shape = v.SampleShape, symbols = v.Symbols, dims = v.Dims, dynamic = v.IsDynamic });
            JsonOutput.Write(new
            {
                model = file, dynamic = true, inputs = Values(signature.Inputs), outputs = Values(signature.Outputs),
                ops = opCounts.Values.Sum(), onnxOpCounts = opCounts, note = InputSizeHint,
            });
            return 0;
        }
        Console.WriteLine($"model:          {file}");
        Console.WriteLine($"inputs:         {string.Join(", ", signature.Inputs)}   (dynamic: the size is chosen at load)");
        Console.WriteLine($"outputs:        {string.Join(", ", signature.Outputs)}");
        Console.WriteLine($"ONNX ops:       {string.Join(", ", opCounts.Select(p => $"{p.Key} {p.Value}"))}   ({opCounts.Values.Sum()} nodes)");
        Console.WriteLine(InputSizeHint);
        return 0;
    }

    /// <summary>The paper's figures for a built-in network at this width and input size with its published class count
    /// (<see cref="ModelZoo.Variants"/>), or null.</summary>
    public static ZooVariant? Paper(ModelSource source) =>
        source.IsBuiltIn && source.Classes == ModelZoo.DefaultClasses(source.Model!)
            ? ModelZoo.Variants.FirstOrDefault(v => v.Model == source.Model && v.Alpha == source.Alpha && v.Resolution == source.Resolution)
            : null;
}
