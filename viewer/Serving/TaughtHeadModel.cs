using System.Text.Json;
using GpuMobileNet.Graph;
using GpuMobileNet.Teach;

namespace GpuMobileNet.Viewer.Serving;

/// <summary>A head taught in the page or by `gmn teach` (its JSON saved into the models folder) served as a model: its
/// backbone (the head's "model", a name this server offers) runs on the device up to its pooled features, and the head
/// turns them into class probabilities on the host (<see cref="HeadOutputs"/>), labelled with the head's classes.</summary>
internal static class TaughtHeadModel
{
    /// <summary>The models folder's head files (*.json that parse as a head with classes), as user/relative/path names.</summary>
    public static IEnumerable<string> Names(string? modelsDir)
    {
        if (modelsDir is null || !Directory.Exists(modelsDir)) return [];
        return Directory.EnumerateFiles(modelsDir, "*.json", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1 })
            .Where(f => TryLoad(f) is not null)
            .Select(f => ModelCatalog.UserPrefix + Path.GetRelativePath(modelsDir, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
    }

    public static bool IsHead(string name, string? modelsDir) =>
        modelsDir is not null && name.StartsWith(ModelCatalog.UserPrefix, StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal)
        && TryLoad(Path.Combine(modelsDir, name[ModelCatalog.UserPrefix.Length..])) is not null;

    /// <summary>The head <paramref name="name"/> on its backbone, imported by <paramref name="importBackbone"/>.</summary>
    public static ModelSpec Import(string name, string modelsDir, IReadOnlyList<string> models, Func<string, ModelGraph> importBackbone)
    {
        var head = TryLoad(Path.Combine(modelsDir, name[ModelCatalog.UserPrefix.Length..]))!;
        if (!models.Contains(head.Model))
            throw new ServingException(ServingError.BadRequest, $"head '{name}': its backbone '{head.Model}' is not a model this server offers");
        var backbone = importBackbone(head.Model);
        var features = GraphCut.Features(backbone);
        if (features.Shape.Elements != head.Features)
            throw new ServingException(ServingError.BadRequest, $"head '{name}': {head.Features} features, but '{head.Model}' gives {features.Shape.Elements}");
        var graph = backbone.WithExtraOutputs(features.Name);
        return new ModelSpec(name, graph, head.Classes, new HeadOutputs(head, graph.Outputs.Count - 1));
    }

    private static TaughtHead? TryLoad(string path)
    {
        try
        {
            var head = TaughtHead.Load(path);
            return head.Classes.Length > 0 && head.Weights.Length == head.Classes.Length ? head : null;
        }
        catch (Exception e) when (e is JsonException or IOException or ArgumentException or FormatException or InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>The head's class probabilities, "scores" [classes], from the backbone's features output.</summary>
    private sealed class HeadOutputs(TaughtHead head, int featuresOutput) : IHostOutputs
    {
        public IReadOnlyList<(string Name, long[] Dims)> Outputs => [("scores", [head.Classes.Length])];

        public float[][] Apply(float[][] network, int samples)
        {
            var features = network[featuresOutput];
            int n = features.Length / samples;
            return [Enumerable.Range(0, samples).SelectMany(s => head.Predict(features.AsSpan(s * n, n))).ToArray()];
        }
    }
}
