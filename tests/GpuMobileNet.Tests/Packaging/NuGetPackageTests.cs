using NUnit.Framework;

namespace GpuMobileNet.Tests.Packaging;

/// <summary>`dotnet pack engine` makes a GpuMobileNet package with the kernels embedded; a fresh console project outside
/// the repository installs it from a local feed and classifies a photo with the nsfwjs model, printing the same top 5
/// as `gmn classify`. The package gets a version of its own per run, removed from the NuGet cache afterwards.</summary>
public class NuGetPackageTests
{
    private static string Repo => TestPaths.RepoRoot;

    private const string Program = """
        using GpuMobileNet.Imaging;
        using GpuMobileNet.Import;
        using GpuMobileNet.Runtime;
        using GpuMobileNet.Vulkan;

        using var device = VulkanDevice.Open();
        var graph = ModelImporter.Load(args[0]);
        using var session = InferenceSession.Create(graph, device);
        var image = ImageLoader.Load(args[2]);
        var scores = session.Run(ImagePreprocessor.ToTensor(image, graph.Input.Shape.W, graph.Input.Shape.H));
        foreach (var (label, p) in Classifier.TopK(scores, Labels.LoadLabels(args[1]), 5))
            Console.WriteLine(FormattableString.Invariant($"{label}\t{p:F6}"));
        """;

    [Test]
    public void PackageInstallsIntoAFreshProjectAndClassifies()
    {
        var version = $"0.1.0-test{DateTime.UtcNow:yyyyMMddHHmmss}{Random.Shared.Next(1000):D3}";
        var dir = Path.Combine(Path.GetTempPath(), "gmn-pack-" + Guid.NewGuid().ToString("N")[..8]);
        var feed = Path.Combine(dir, "feed");
        var app = Path.Combine(dir, "app");
        Directory.CreateDirectory(app);
        try
        {
            // --no-build: packs the engine this test run was built with (the build the tests run against), instead of
            // recompiling it for the package's version (the assembly keeps its own version; the package gets this run's).
            var pack = ChildProcess.Run("dotnet", Repo, "pack", Path.Combine(Repo, "engine", "GpuMobileNet.csproj"), "-c", "Release", "--nologo",
                "--no-build", "-o", feed, $"-p:Version={version}");
            Assert.That(pack.Code, Is.Zero, pack.Out);
            Assert.That(File.Exists(Path.Combine(feed, $"GpuMobileNet.{version}.nupkg")), Is.True, pack.Out);

            File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings><NoWarn>NU1603</NoWarn></PropertyGroup>
                  <ItemGroup><PackageReference Include="GpuMobileNet" Version="{version}" /></ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <configuration><packageSources><add key="local" value="{feed}" /></packageSources></configuration>
                """);
            var run = ChildProcess.Run("dotnet", app, "run", "-c", "Release", "--",
                Path.Combine(Repo, "models", "cache", "nsfwjs_mobilenet_v2", "model.json"), Path.Combine(Repo, "models", "nsfwjs_labels.txt"),
                Path.Combine(Repo, "models", "cache", "photos", "chelsea.png"));
            Assert.That(run.Code, Is.Zero, run.Out);

            var fromPackage = ChildProcess.TabbedTopFive(run.StdOut);
            var cli = ChildProcess.CliTopFive(Path.Combine(Repo, "models", "cache", "photos", "chelsea.png"));
            Assert.That(fromPackage.Select(r => r.Label), Is.EqualTo(cli.Select(r => r.Label)), run.StdOut);
            for (int i = 0; i < fromPackage.Count; i++)
                Assert.That(fromPackage[i].P, Is.EqualTo(cli[i].P).Within(2e-4), fromPackage[i].Label);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            var cached = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "gpumobilenet", version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        }
    }
}
