using System.Collections.Concurrent;
using GpuMobileNet.Graph;
using GpuMobileNet.Import;
using GpuMobileNet.Models;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Viewer;

/// <summary>The models the viewer offers: the nsfwjs MobileNetV2 (real weights), built-in architectures (seeded random
/// weights, for speed comparisons) and every model file in the models folder, in any format the engine reads (ONNX,
/// TFLite, TF.js model.json; told by content, see <see cref="ModelImporter"/>), with labels.txt beside it naming the
/// classes. Each is loaded once, on first use, into one <see cref="LoadedModel"/> (one session) shared by every client.</summary>
public sealed class ModelCatalog : IDisposable
{
    public const string NsfwjsName = "nsfwjs_mobilenet_v2";
    public const string UserPrefix = "user/";

    // name → (alpha, resolution) of the built-in architectures offered.
    private static readonly (string Arch, double Alpha, int Resolution)[] BuiltIns =
    [
        ("mobilenet_v2", 1.0, 224), ("mobilenet_v2", 0.35, 96), ("mobilenet_v1", 1.0, 224), ("mobilenet_v1", 0.5, 160), ("mobilenet_v1", 0.25, 128),
    ];

    private readonly ViewerOptions _options;
    private readonly VulkanDevice _device;
    private readonly ConcurrentDictionary<string, Lazy<LoadedModel>> _loaded = new();

    public ModelCatalog(ViewerOptions options, VulkanDevice device)
    {
        _options = options;
        _device = device;
    }

    public VulkanDevice Device => _device;

    public static string BuiltInName(string arch, double alpha, int resolution) =>
        $"{arch}_{alpha.ToString("0.0#", System.Globalization.CultureInfo.InvariantCulture)}_{resolution}";

    /// <summary>Every model name on offer, the default first.</summary>
    public IReadOnlyList<string> Names()
    {
        var names = new List<string> { NsfwjsName };
        names.AddRange(BuiltIns.Select(b => BuiltInName(b.Arch, b.Alpha, b.Resolution)));
        if (_options.ModelsDir is { } dir && Directory.Exists(dir))
            names.AddRange(Directory.EnumerateFiles(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1 })
                .Where(IsModelFile)
                .Select(f => UserPrefix + Path.GetRelativePath(dir, f).Replace('\\', '/'))
                .Order(StringComparer.Ordinal));
        return names;
    }

    public bool IsLoaded(string name) => _loaded.TryGetValue(name, out var m) && m.IsValueCreated && !m.Value.IsDisposed;

    /// <summary>The loaded model (loading it now if needed). Unknown names throw <see cref="KeyNotFoundException"/>.</summary>
    public LoadedModel Get(string name)
    {
        if (!Names().Contains(name))
            throw new KeyNotFoundException($"unknown model '{name}'; available: {string.Join(", ", Names())}");
        var lazy = _loaded.GetOrAdd(name, n => new Lazy<LoadedModel>(() => Load(n), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _loaded.TryRemove(name, out _); // a failed load can be retried (e.g. after fixing the file)
            throw;
        }
    }

    private LoadedModel Load(string name)
    {
        var (graph, labels) = Import(name);
        return new LoadedModel(name, graph, labels, _device);
    }

    /// <summary>Model <paramref name="name"/>'s graph and labels (null where it has none), read from its file or built;
    /// no device work. Unknown names throw <see cref="KeyNotFoundException"/>; a file the engine cannot read throws
    /// <see cref="ModelLoadException"/>.</summary>
    public (ModelGraph Graph, IReadOnlyList<string>? Labels) Import(string name)
    {
        if (!Names().Contains(name))
            throw new KeyNotFoundException($"unknown model '{name}'; available: {string.Join(", ", Names())}");
        if (name == NsfwjsName)
        {
            var json = Path.Combine(_options.RepoRoot, "models", "cache", "nsfwjs_mobilenet_v2", "model.json");
            if (!File.Exists(json)) throw new FileNotFoundException($"{json} is missing: run scripts/setup");
            return (ModelImporter.Load(json), Imaging.Labels.LoadLabels(Path.Combine(_options.RepoRoot, "models", "nsfwjs_labels.txt")));
        }
        if (UserPath(name) is { } path)
        {
            var labelsFile = Path.Combine(Path.GetDirectoryName(path)!, "labels.txt");
            return (ModelImporter.Load(path), File.Exists(labelsFile) ? Imaging.Labels.LoadLabels(labelsFile) : null);
        }
        var (arch, alpha, resolution) = BuiltIns.First(b => BuiltInName(b.Arch, b.Alpha, b.Resolution) == name);
        return (ModelZoo.Create(arch, alpha, resolution, 1000, WeightInit.Random(1)), null);
    }

    /// <summary>The file of a models-folder name ("user/..."), or null for a built-in model.</summary>
    public string? UserPath(string name) =>
        name.StartsWith(UserPrefix, StringComparison.Ordinal) ? Path.GetFullPath(Path.Combine(_options.ModelsDir!, name[UserPrefix.Length..])) : null;

    /// <summary>Whether a file in the models folder is a model: its content is in a format the engine reads. Labels and
    /// weight files (.txt, .bin: a TF.js model's shards, whose bytes could pass for anything) are not.</summary>
    private static bool IsModelFile(string path)
    {
        if (Path.GetExtension(path).ToLowerInvariant() is ".txt" or ".bin") return false;
        try
        {
            ModelImporter.FormatOf(path);
            return true;
        }
        catch (ModelLoadException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var m in _loaded.Values)
            if (m.IsValueCreated) m.Value.Dispose();
    }
}
