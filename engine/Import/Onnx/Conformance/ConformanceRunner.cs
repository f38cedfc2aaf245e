using Google.Protobuf;
using GpuMobileNet.Export.Onnx.Proto;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Import.Onnx.Conformance;

/// <summary>Runs the ONNX backend node tests (Debian's libonnx-testdata: &lt;case&gt;/model.onnx and
/// test_data_set_*/{input,output}_N.pb) through the importer and a GPU session. Input 0 is a run-time input;
/// further inputs are too where they can be, else bound as initializers from each data set (our engine takes
/// weights as constants), and a fixed batch dimension becomes the session's batch.</summary>
internal static class ConformanceRunner
{
    public const string DefaultDataDir = "/usr/share/libonnx-testdata/data/node";
    public const double RelTolerance = 1e-3, AbsTolerance = 1e-5;

    /// <summary>The op types the importer maps to GPU kernels: a case made only of these is claimed.</summary>
    public static IReadOnlySet<string> ClaimedOps => OnnxOpMapper.Ops;

    /// <param name="progress">called before each case with its 1-based number, the number of cases and its name</param>
    public static IReadOnlyList<ConformanceCase> RunAll(VulkanDevice device, string dataDir = DefaultDataDir, Func<string, bool>? filter = null,
        Action<int, int, string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!Directory.Exists(dataDir))
            throw new DirectoryNotFoundException($"{dataDir} is missing: install libonnx-testdata (scripts/setup does)");
        var dirs = Directory.GetDirectories(dataDir).OrderBy(d => d, StringComparer.Ordinal)
            .Where(d => filter?.Invoke(Path.GetFileName(d)) ?? true).ToList();
        return dirs.Select((d, i) =>
        {
            progress?.Invoke(i + 1, dirs.Count, Path.GetFileName(d));
            return Run(device, d);
        }).ToList();
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

    /// <summary>Null when every output matches; else what differs. Inputs after the first are fed at run time, as ONNX
    /// Runtime does, where they are float tensors of input 0's rank and batch; where the importer refuses that (an
    /// operand it needs as a constant, a broadcast it does not run), they are bound as initializers instead.</summary>
    private static string? RunDataSet(VulkanDevice device, ModelProto original, string name, string set)
    {
        var initialized = original.Graph.Initializer.Select(t => t.Name).ToHashSet();
        var inputs = original.Graph.Input.Where(i => !initialized.Contains(i.Name)).ToList();
        var tensors = Enumerable.Range(0, inputs.Count).Select(i => Load(Path.Combine(set, $"input_{i}.pb"))).ToList();
        var runtime = Enumerable.Range(0, inputs.Count).Where(i => i == 0 || FedAtRunTime(tensors[0], tensors[i])).ToHashSet();
        if (runtime.Count > 1)
        {
            try
            {
                return RunDataSet(device, original, name, set, inputs, tensors, runtime);
            }
            catch (ModelLoadException)
            {
                // Falls back to the constants below; their refusal, if any, is the one reported.
            }
        }
        return RunDataSet(device, original, name, set, inputs, tensors, [0]);
    }

    private static bool FedAtRunTime(TensorProto first, TensorProto other) =>
        other.DataType == (int)TensorProto.Types.DataType.Float && other.Dims.Count == first.Dims.Count && other.Dims.Count > 0 && other.Dims[0] == first.Dims[0];

    private static string? RunDataSet(VulkanDevice device, ModelProto original, string name, string set,
        List<ValueInfoProto> inputs, List<TensorProto> tensors, HashSet<int> runtime)
    {
        var model = original.Clone();
        var graph = model.Graph;
        for (int i = 1; i < inputs.Count; i++)
            if (!runtime.Contains(i))
            {
                var constant = tensors[i].Clone();
                constant.Name = inputs[i].Name;
                graph.Initializer.Add(constant);
            }
        int batch = 1;
        if (inputs.Count > 0 && inputs[0].Type?.TensorType?.Shape is { Dim.Count: > 0 } shape && shape.Dim[0].DimValue > 1)
        {
            batch = (int)shape.Dim[0].DimValue;
            foreach (var input in graph.Input.Where(v => runtime.Any(i => inputs[i].Name == v.Name)))
                if (input.Type?.TensorType?.Shape is { Dim.Count: > 0 } s)
                    s.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "N" };
            // The outputs' declared dims were for the fixed batch; the session now supplies it.
            foreach (var o in graph.Output) if (o.Type?.TensorType is { } t) t.Shape = null;
        }
        var imported = OnnxImporter.Load(model.ToByteArray(), name + ".onnx");
        var feeds = runtime.ToDictionary(i => inputs[i].Name,
            i => OnnxTensorReader.Read(tensors[i], null, p => new ModelLoadException($"{name}: input_{i}.pb: {p}")).AsFloats());
        using var session = InferenceSession.Create(imported, device, new SessionOptions { Batch = batch });
        var results = session.Run(feeds);
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
