using GpuMobileNet.Graph;
using GpuMobileNet.Import;
using GpuMobileNet.Models;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Cli;

/// <summary>What --model names: a built-in architecture with seeded random weights, or a model file (ONNX, TFLite, TF.js model.json).</summary>
internal sealed record ModelSource(string? Model, double Alpha, int Resolution, int Classes, int Seed)
{
    public static IReadOnlyList<string> BuiltIn => ModelZoo.Names;

    public const string DefaultModelRelative = "models/cache/nsfwjs_mobilenet_v2/model.json";
    public const string DefaultLabelsRelative = "models/nsfwjs_labels.txt";

    public bool IsBuiltIn => Model is not null && BuiltIn.Contains(Model);

    /// <summary>--input-size: height and width for an ONNX model whose input size is dynamic.</summary>
    public (int H, int W)? InputSize { get; init; }

    /// <summary>--weights: the .bin of an ncnn .param model (null: the .bin beside it if there is one, else seeded random weights).</summary>
    public string? Weights { get; init; }

    /// <summary>The command creates a session right after the load, whose planning names every op that cannot run: the
    /// import's own dry run of kernel selection is left out (see <see cref="ModelImportOptions.SkipKernelDryRun"/>).</summary>
    public bool SessionFollows { get; init; }

    // The last ncnn model loaded, so Describe() can say how it runs (int8 dequantised, random weights, host layers).
    private GpuMobileNet.Import.Ncnn.NcnnModel? _ncnn;

    /// <summary>The ONNX file --model names (told by its content), or null for other kinds of model.</summary>
    public string? OnnxPath => FileIs("ONNX") ? Model : null;

    /// <summary>The TFLite file --model names (told by its content), or null for other kinds of model.</summary>
    public string? TflitePath => FileIs("TFLite") ? Model : null;

    // The model file's format, read from its first bytes once per file (the properties above and Load all ask).
    private (string File, string Name)? _format;

    private bool FileIs(string format)
    {
        if (Model is null || IsBuiltIn || !File.Exists(Model)) return false;
        if (_format?.File != Model) _format = (Model, ModelImporter.FormatOf(Model).Name);
        return _format.Value.Name == format;
    }

    /// <summary>The built-in network, or the model file in whichever format its content is (<see cref="ModelImporter"/>).</summary>
    public ModelGraph Load()
    {
        if (IsBuiltIn) return ModelZoo.Create(Model!, Alpha, Resolution, Classes, WeightInit.Random(Seed));
        if (Model is not null && !Path.Exists(Model) && !Model.Contains('/'))
            throw new UsageException($"--model '{Model}': neither a built-in architecture ({string.Join(", ", BuiltIn)}) nor a model file");
        var path = Model ?? DefaultModelPath();
        var options = new ModelImportOptions { InputHeight = InputSize?.H, InputWidth = InputSize?.W, Weights = Weights, Seed = Seed, SkipKernelDryRun = SessionFollows };
        if (!FileIs("ncnn .param"))
        {
            if (Weights is not null) throw new UsageException("--weights: only an ncnn .param model takes a separate weights file");
            return ModelImporter.Load(path, options);
        }
        // ncnn through its own importer (as ModelImporter would), keeping the model's notes for Describe().
        _ncnn = ModelImporter.LoadNcnn(path, options);
        return _ncnn.Graph;
    }

    /// <summary>What the pipelines of this model depend on, naming its list of pipelines (<see cref="PipelineList"/>): a
    /// built-in network's settings; a file's path, size and time, with --weights and --input-size. Null if the file is missing.</summary>
    public string? PipelineIdentity()
    {
        if (IsBuiltIn) return Describe();
        var path = Model ?? FindInRepo(DefaultModelRelative);
        return File.Exists(path) ? $"{PipelineList.FileIdentity(path)}|{Weights}|{InputSize}" : null;
    }

    /// <summary>Labels for the model: --labels if given, the nsfwjs labels for the default model, else none.</summary>
    public IReadOnlyList<string>? Labels(string? labelsPath)
    {
        if (labelsPath is not null) return GpuMobileNet.Imaging.Labels.LoadLabels(labelsPath);
        if (Model is null) return GpuMobileNet.Imaging.Labels.LoadLabels(FindInRepo(DefaultLabelsRelative));
        return null;
    }

    /// <summary>What the last load ignored as the model's own runtime would (an ncnn .param's lines after its declared layers).</summary>
    public IReadOnlyList<string> LoadWarnings => _ncnn?.Warnings ?? [];

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
