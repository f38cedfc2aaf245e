using Google.Protobuf;
using GpuMobileNet.Export.Onnx.Proto;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Import.Onnx.Conformance;

/// <summary>Runs the ONNX backend node tests (Debian's libonnx-testdata: &lt;case&gt;/model.onnx and
/// test_data_set_*/{input,output}_N.pb) through the importer and a GPU session. Input 0 is the run-time input;
/// further inputs are bound as initializers from each data set (our engine takes weights as constants), and a
/// fixed batch dimension becomes the session's batch.</summary>
internal static class ConformanceRunner
{
    public const string DefaultDataDir = "/usr/share/libonnx-testdata/data/node";
    public const double RelTolerance = 1e-3, AbsTolerance = 1e-5;

    /// <summary>The op types the importer maps to GPU kernels: a case made only of these is claimed.</summary>
    public static IReadOnlySet<string> ClaimedOps => OnnxOpMapper.Ops;

    public static IReadOnlyList<ConformanceCase> RunAll(VulkanDevice device, string dataDir = DefaultDataDir, Func<string, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!Directory.Exists(dataDir))
            throw new DirectoryNotFoundException($"{dataDir} is missing: install libonnx-testdata (scripts/setup does)");
        return Directory.GetDirectories(dataDir).OrderBy(d => d, StringComparer.Ordinal)
            .Where(d => filter?.Invoke(Path.GetFileName(d)) ?? true)
            .Select(d => Run(device, d)).ToList();
    }

    public static ConformanceCase Run(VulkanDevice device, string caseDir)
    {
        string name = Path.GetFileName(caseDir);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(caseDir, "model.onnx")));
        }
        catch (InvalidProtocolBufferException e)
        {
            return new(name, [], false, ConformanceStatus.Refused, e.Message);
        }
        var ops = model.Graph.Node.Select(n => n.OpType).Distinct().ToList();
        bool claimed = ops.All(ClaimedOps.Contains);
        try
        {
            foreach (var set in Directory.GetDirectories(caseDir, "test_data_set_*").OrderBy(d => d, StringComparer.Ordinal))
            {
                string? mismatch = RunDataSet(device, model, name, set);
                if (mismatch is not null) return new(name, ops, claimed, ConformanceStatus.Mismatch, mismatch);
            }
            return new(name, ops, claimed, ConformanceStatus.Passed, "");
        }
        catch (ModelLoadException e)
        {
            return new(name, ops, claimed, ConformanceStatus.Refused, e.Message);
        }
        catch (Exception e)
        {
            return new(name, ops, claimed, ConformanceStatus.Crashed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Null when every output matches; else what differs.</summary>
    private static string? RunDataSet(VulkanDevice device, ModelProto original, string name, string set)
    {
        var model = original.Clone();
        var graph = model.Graph;
        var initialized = graph.Initializer.Select(t => t.Name).ToHashSet();
        var inputs = graph.Input.Where(i => !initialized.Contains(i.Name)).ToList();
        var tensors = Enumerable.Range(0, inputs.Count).Select(i => Load(Path.Combine(set, $"input_{i}.pb"))).ToList();
        for (int i = 1; i < inputs.Count; i++)
        {
            tensors[i].Name = inputs[i].Name;
            graph.Initializer.Add(tensors[i]);
        }
        int batch = 1;
        if (inputs.Count > 0 && inputs[0].Type?.TensorType?.Shape is { Dim.Count: > 0 } shape && shape.Dim[0].DimValue > 1)
        {
            batch = (int)shape.Dim[0].DimValue;
            shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "N" };
            // The outputs' declared dims were for the fixed batch; the session now supplies it.
            foreach (var o in graph.Output) if (o.Type?.TensorType is { } t) t.Shape = null;
        }
        var imported = OnnxImporter.Load(model.ToByteArray(), name + ".onnx");
        var input = OnnxTensorReader.Read(tensors[0], null, p => new ModelLoadException($"{name}: input_0.pb: {p}")).AsFloats();
        using var session = InferenceSession.Create(imported, device, new SessionOptions { Batch = batch });
        var results = session.Run(new Dictionary<string, float[]> { [imported.Input.Name] = input });
        for (int k = 0; k < graph.Output.Count; k++)
        {
            var expected = OnnxTensorReader.Read(Load(Path.Combine(set, $"output_{k}.pb")), null, p => new ModelLoadException($"{name}: output_{k}.pb: {p}")).AsFloats();
            if (!results.TryGetValue(graph.Output[k].Name, out var actual))
                return $"output '{graph.Output[k].Name}' is not produced";
            if (actual.Length != expected.Length)
                return $"output '{graph.Output[k].Name}' has {actual.Length} values, expected {expected.Length}";
            for (int i = 0; i < actual.Length; i++)
                if (!(Math.Abs(actual[i] - expected[i]) <= AbsTolerance + RelTolerance * Math.Abs(expected[i])) && !(float.IsNaN(expected[i]) && float.IsNaN(actual[i])) && actual[i] != expected[i])
                    return $"{Path.GetFileName(set)} output '{graph.Output[k].Name}' [{i}] is {actual[i]}, expected {expected[i]}";
        }
        return null;
    }

    private static TensorProto Load(string path) => TensorProto.Parser.ParseFrom(File.ReadAllBytes(path));
}
