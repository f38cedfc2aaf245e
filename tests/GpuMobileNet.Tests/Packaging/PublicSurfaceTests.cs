using System.Reflection;
using GpuMobileNet.Models;
using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Packaging;

/// <summary>The public types of the engine (PublicApi.approved.txt) and of GpuMobileNet.Models (ModelsPublicApi.approved.txt)
/// are approved lists: what an embedder uses (device, session, options, bindings, the model loader, the graph's values
/// and shapes, errors, imaging, detection, exporters, teach; ModelZoo and its weights). A type made public, or one
/// dropped, fails here until its list is changed on purpose. GMN_UPDATE_API=1 rewrites the lists from the assemblies.</summary>
public class PublicSurfaceTests
{
    /// <summary>Issue 23's target for both assemblies together, ONNX Runtime's C# API being the yardstick.</summary>
    private const int MaxPublicTypes = 50;

    internal static IEnumerable<TestCaseData> Assemblies()
    {
        yield return new TestCaseData(typeof(VulkanDevice).Assembly, "PublicApi.approved.txt").SetArgDisplayNames("engine");
        yield return new TestCaseData(typeof(ModelZoo).Assembly, "ModelsPublicApi.approved.txt").SetArgDisplayNames("models");
    }

    private static string ApprovedPath(string file) => Path.Combine(TestPaths.RepoRoot, "tests", "GpuMobileNet.Tests", "Packaging", file);

    internal static List<string> PublicTypes(Assembly assembly) => assembly.GetExportedTypes()
        .Select(t => t.FullName!.Replace('+', '.')).Order(StringComparer.Ordinal).ToList();

    [TestCaseSource(nameof(Assemblies))]
    public void PublicTypesAreTheApprovedOnes(Assembly assembly, string approvedFile)
    {
        var actual = PublicTypes(assembly);
        var path = ApprovedPath(approvedFile);
        if (Environment.GetEnvironmentVariable("GMN_UPDATE_API") == "1")
            File.WriteAllLines(path, actual);
        var approved = File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(actual.Except(approved), Is.Empty, $"public but not approved (make it internal, or add it to {approvedFile})");
            Assert.That(approved.Except(actual), Is.Empty, $"approved but no longer public (remove it from {approvedFile})");
        });
    }

    [Test]
    public void EngineAndModelsExportAtMostFiftyTypes()
    {
        var all = Assemblies().SelectMany(c => PublicTypes((Assembly)c.Arguments[0]!)).ToList();
        Assert.That(all, Has.Count.LessThanOrEqualTo(MaxPublicTypes), string.Join(", ", all));
    }

    /// <summary>The internals the issue names stay internal: kernels, passes, planner, buffers, dispatches, the graph's
    /// ops and builder, and the test hooks.</summary>
    [Test]
    public void KernelsPassesPlannerOpsAndTestHooksAreInternal()
    {
        var exposed = PublicTypes(typeof(VulkanDevice).Assembly).Where(n => n.StartsWith("GpuMobileNet.Planning.", StringComparison.Ordinal)
            || n.StartsWith("GpuMobileNet.Passes.", StringComparison.Ordinal)
            || n.StartsWith("GpuMobileNet.Graph.Ops.", StringComparison.Ordinal)
            || (n.StartsWith("GpuMobileNet.Kernels.", StringComparison.Ordinal) && n != "GpuMobileNet.Kernels.Rgba8Normalisation")
            || n is "GpuMobileNet.Vulkan.GpuBuffer" or "GpuMobileNet.Graph.GraphBuilder" or "GpuMobileNet.Graph.Node");
        var hook = typeof(VulkanDevice).GetMethod(nameof(VulkanDevice.ProvokeValidationMessage), BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        Assert.Multiple(() =>
        {
            Assert.That(exposed, Is.Empty);
            Assert.That(hook, Is.Not.Null, "VulkanDevice.ProvokeValidationMessage is gone: update this test");
            Assert.That(hook!.IsPublic, Is.False, "test hook VulkanDevice.ProvokeValidationMessage is public");
        });
    }
}
