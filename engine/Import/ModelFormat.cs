using GpuMobileNet.Graph;
using GpuMobileNet.Import.Ncnn;
using GpuMobileNet.Import.Onnx;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.Import.Tflite;

namespace GpuMobileNet.Import;

/// <summary>One model format <see cref="ModelImporter"/> reads: how to tell it from a file's first bytes, and its
/// importer for a file and for bytes in memory. <see cref="All"/> is the table of formats, tried in order: a new
/// importer adds one row there.</summary>
/// <param name="Name">The format's name in messages ("ONNX").</param>
/// <param name="Matches">Whether the first bytes of a file (at most <see cref="HeadBytes"/>) are this format's.</param>
/// <param name="FromFile">Imports the file at a path (files beside it, such as weights, are read from its folder).</param>
/// <param name="FromBytes">Imports bytes in memory; the string names them in messages.</param>
internal sealed record ModelFormat(string Name, Func<byte[], bool> Matches,
    Func<string, ModelImportOptions, ModelGraph> FromFile, Func<byte[], string, ModelImportOptions, ModelGraph> FromBytes)
{
    /// <summary>How many bytes from the start of a file the detectors see.</summary>
    public const int HeadBytes = 4096;

    /// <summary>The formats, the most specific signature first: TFLite has a magic number, TF.js is JSON with known keys,
    /// ONNX (a bare protobuf message) has no signature and is recognised by the shape of its first fields.</summary>
    public static IReadOnlyList<ModelFormat> All { get; } =
    [
        new("TFLite", ModelSignatures.IsTflite,
            (path, o) => FixedInput(TfliteImporter.Load(path), path, o), (bytes, name, o) => FixedInput(TfliteImporter.Load(bytes, name), name, o)),
        new("TF.js layers model.json", ModelSignatures.IsTfjsModelJson,
            (path, o) => FixedInput(TfjsLayersImporter.Load(path), path, o),
            (_, name, _) => throw new ModelLoadException($"{name}: a TF.js model.json names weight files that are read from its folder; load it from its path, not from bytes")),
        new("ncnn .param", NcnnImporter.LooksLikeNcnnHead,
            (path, o) => LoadNcnn(path, o).Graph,
            (bytes, name, o) => NcnnImporter.Load(bytes, null, name, "", NcnnOptions(o)).Graph),
        new("ONNX", ModelSignatures.IsOnnx,
            (path, o) => OnnxImporter.Load(path, OnnxOptions(o)), (bytes, name, o) => OnnxImporter.Load(bytes, name, OnnxOptions(o))),
    ];

    /// <summary>The names of <see cref="All"/>, for messages.</summary>
    public static string Names => string.Join(", ", All.Select(f => f.Name));

    /// <summary>An ncnn model with the weights <paramref name="o"/> names, or the .bin beside the .param, or seeded random ones.</summary>
    internal static NcnnModel LoadNcnn(string path, ModelImportOptions o)
    {
        var beside = Path.ChangeExtension(path.EndsWith(".param.bin", StringComparison.OrdinalIgnoreCase) ? path[..^4] : path, ".bin");
        var weights = o.Weights ?? (beside != path && File.Exists(beside) ? beside : null);
        return NcnnImporter.Load(path, weights, NcnnOptions(o));
    }

    private static NcnnImportOptions NcnnOptions(ModelImportOptions o)
    {
        if (o.OutputNames is not null) throw new ModelLoadException("choosing outputs by name is supported for ONNX models only");
        return new() { InputHeight = o.InputHeight, InputWidth = o.InputWidth, Seed = o.Seed };
    }

    private static OnnxImportOptions OnnxOptions(ModelImportOptions o) =>
        new() { InputHeight = o.InputHeight, InputWidth = o.InputWidth, OutputNames = o.OutputNames };

    /// <summary>A format whose input size is fixed in the file: options may only repeat it, and choose no outputs.</summary>
    private static ModelGraph FixedInput(ModelGraph graph, string file, ModelImportOptions o)
    {
        var s = graph.Input.Shape;
        if (o.InputHeight is { } h && h != s.H || o.InputWidth is { } w && w != s.W)
            throw new ModelLoadException($"{file}: the model's input is {s.H}x{s.W} (fixed in the file); {o.InputHeight?.ToString() ?? "any"}x{o.InputWidth?.ToString() ?? "any"} was asked for");
        if (o.OutputNames is not null)
            throw new ModelLoadException($"{file}: choosing outputs by name is supported for ONNX models only");
        return graph;
    }
}
