using NUnit.Framework;

namespace GpuMobileNet.Tests;

/// <summary>Where the repository and its downloaded test data are. Data that scripts/setup fetches
/// makes a test fail (never skip) when missing, so a machine without it cannot pass silently.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();
    public static string Cache => Path.Combine(RepoRoot, "models", "cache");
    public static string NsfwjsModelJson => Require(Path.Combine(Cache, "nsfwjs_mobilenet_v2", "model.json"));
    public static string NsfwjsLabels => Require(Path.Combine(RepoRoot, "models", "nsfwjs_labels.txt"));
    public static string NodeModules => Require(Path.Combine(Cache, "node", "node_modules", "@tensorflow", "tfjs"), "..", "..");
    public static string TfjsReferenceScript => Require(Path.Combine(RepoRoot, "models", "tfjs", "reference.js"));
    public static string Photo(string name) => Require(Path.Combine(Cache, "photos", name));

    private static string Require(string path, params string[] up)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            Assert.Fail($"{path} is missing: run scripts/setup to populate models/cache");
        return Path.GetFullPath(Path.Combine([path, .. up]));
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GpuMobileNet.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no GpuMobileNet.sln above {AppContext.BaseDirectory}");
    }
}
