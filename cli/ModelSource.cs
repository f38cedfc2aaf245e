using GpuMobileNet.Graph;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.Models;

namespace GpuMobileNet.Cli;

/// <summary>What --model names: a built-in architecture with seeded random weights, a TF.js model.json or an ONNX file.</summary>
internal sealed record ModelSource(string? Model, double Alpha, int Resolution, int Classes, int Seed)
{
    public static IReadOnlyList<string> BuiltIn => ModelZoo.Names;

    public const string DefaultModelRelative = "models/cache/nsfwjs_mobilenet_v2/model.json";
    public const string DefaultLabelsRelative = "models/nsfwjs_labels.txt";

    public bool IsBuiltIn => Model is not null && BuiltIn.Contains(Model);

    /// <summary>--input-size: height and width for an ONNX model whose input size is dynamic.</summary>
    public (int H, int W)? InputSize { get; init; }

    /// <summary>--weights: the .bin of an ncnn .param model (null: seeded random weights).</summary>
    public string? Weights { get; init; }

    // The last ncnn model loaded, so Describe() can say how it runs (int8 dequantised, random weights, host layers).
    private GpuMobileNet.Import.Ncnn.NcnnModel? _ncnn;

    /// <summary>The ONNX file --model names, or null for other kinds of model.</summary>
    public string? OnnxPath => Model is not null && Model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? Model : null;

    public ModelGraph Load()
    {
        if (IsBuiltIn)
            return ModelZoo.Create(Model!, Alpha, Resolution, Classes, WeightInit.Random(Seed));
        var path = Model ?? DefaultModelPath();
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            return GpuMobileNet.Import.Onnx.OnnxImporter.Load(path, new GpuMobileNet.Import.Onnx.OnnxImportOptions
            {
                InputHeight = InputSize?.H,
                InputWidth = InputSize?.W,
            });
        if (path.EndsWith(".param", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".param.bin", StringComparison.OrdinalIgnoreCase))
        {
            _ncnn = GpuMobileNet.Import.Ncnn.NcnnImporter.Load(path, Weights, new GpuMobileNet.Import.Ncnn.NcnnImportOptions
            {
                InputHeight = InputSize?.H,
                InputWidth = InputSize?.W,
                Seed = Seed,
            });
            return _ncnn.Graph;
        }
        if (Weights is not null)
            throw new ArgumentException("--weights: only an ncnn .param model takes a separate weights file");
        if (path.EndsWith(".tflite", StringComparison.OrdinalIgnoreCase))
            return GpuMobileNet.Import.Tflite.TfliteImporter.Load(path);
        if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--model '{path}': expected one of {string.Join(", ", BuiltIn)}, a TF.js model.json, an .onnx, a .tflite or an ncnn .param file");
        return TfjsLayersImporter.Load(path);
    }

    /// <summary>Labels for the model: --labels if given, the nsfwjs labels for the default model, else none.</summary>
    public IReadOnlyList<string>? Labels(string? labelsPath)
    {
        if (labelsPath is not null) return GpuMobileNet.Imaging.Labels.LoadLabels(labelsPath);
        if (Model is null) return GpuMobileNet.Imaging.Labels.LoadLabels(FindInRepo(DefaultLabelsRelative));
        return null;
    }

    public string Describe() => IsBuiltIn ? $"{Model} alpha={Alpha} resolution={Resolution} classes={Classes} (random weights, seed {Seed})"
        : _ncnn is not null ? $"{Model} ({_ncnn.Describe()})" : Model ?? DefaultModelPath();

    private static string DefaultModelPath()
    {
        var path = FindInRepo(DefaultModelRelative);
        if (!File.Exists(path))
            throw new FileNotFoundException($"default model {DefaultModelRelative} is not fetched yet: run scripts/setup");
        return path;
    }

    /// <summary>Finds a repository-relative path from the working directory or the program's folder upwards.</summary>
    public static string FindInRepo(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "GpuMobileNet.sln")))
                    return Path.Combine(dir.FullName, relative);
        return Path.GetFullPath(relative);
    }
}
