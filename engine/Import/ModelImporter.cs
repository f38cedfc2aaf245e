using System.Globalization;
using GpuMobileNet.Graph;
using GpuMobileNet.IO;

namespace GpuMobileNet.Import;

/// <summary>The one way to load a model file: the format is picked from the content, not the file name (ONNX, TFLite,
/// TF.js layers model.json; see <see cref="ModelFormat.All"/>), the format's importer builds the graph, and one
/// validation follows every import: all constants finite (also after folding BatchNorm), and a dry run of kernel
/// selection that lists every op the engine cannot run at once.
/// Thread-safety: thread-safe; each call reads its own file and builds a new graph.</summary>
public static class ModelImporter
{
    /// <summary>Loads the model at <paramref name="path"/>; files it names (weights, external data) are read from its folder.</summary>
    /// <exception cref="ModelLoadException">The file is missing, not a regular file, in no format this engine reads,
    /// corrupt, or uses what is not supported (every such op is named); one line naming the file.</exception>
    public static ModelGraph Load(string path, ModelImportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new ModelImportOptions();
        ModelGraph graph;
        using (Runtime.PhaseLog.Measure("import"))
            graph = FormatOf(path).FromFile(path, options);
        ModelValidation.Check(graph, path, !options.SkipKernelDryRun);
        return graph;
    }

    /// <summary>Loads a model from memory; <paramref name="name"/> names it in messages. A TF.js model.json, whose
    /// weights are separate files, must be loaded from its path instead.</summary>
    /// <exception cref="ModelLoadException">As for <see cref="Load(string, ModelImportOptions?)"/>.</exception>
    public static ModelGraph Load(byte[] bytes, string name, ModelImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var graph = Detect(bytes.AsSpan(0, Math.Min(bytes.Length, ModelFormat.HeadBytes)).ToArray(), name)
            .FromBytes(bytes, name, options ?? new ModelImportOptions());
        ModelValidation.Check(graph, name);
        return graph;
    }

    /// <summary>Loads an ncnn .param as <see cref="Load(string, ModelImportOptions?)"/> does (the same validation), keeping
    /// what only an ncnn model has: its host layers and how its weights were obtained.</summary>
    internal static Ncnn.NcnnModel LoadNcnn(string path, ModelImportOptions options)
    {
        var model = ModelFormat.LoadNcnn(path, options);
        ModelValidation.Check(model.Graph, path, !options.SkipKernelDryRun);
        return model;
    }

    /// <summary>The format of the file at <paramref name="path"/>, from its first bytes.</summary>
    /// <exception cref="ModelLoadException">The file cannot be read or is in no known format.</exception>
    internal static ModelFormat FormatOf(string path)
    {
        long size = SafeFile.RequireRegular(path, long.MaxValue, "model file", m => new ModelLoadException(m));
        var head = new byte[Math.Min(size, ModelFormat.HeadBytes)];
        SafeFile.ReadExactly(path, head, "model file", m => new ModelLoadException(m));
        return Detect(head, path);
    }

    private static ModelFormat Detect(byte[] head, string name)
    {
        if (head.Length == 0)
            throw new ModelLoadException($"{name}: the file is empty; expected a model ({ModelFormat.Names})");
        return ModelFormat.All.FirstOrDefault(f => f.Matches(head)) ?? throw new ModelLoadException(
            $"{name}: not a model format this engine reads ({ModelFormat.Names}); it begins with bytes {Hex(head)}");
    }

    private static string Hex(byte[] head) =>
        string.Join(" ", head.Take(8).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
}
