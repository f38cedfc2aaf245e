using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Packaging;

/// <summary>The engine's public types are an approved list (PublicApi.approved.txt): what an embedder uses (device,
/// session, options, bindings, importers, model graph and builders, imaging, exporters). A type made public, or one
/// dropped, fails here until the list is changed on purpose. GMN_UPDATE_API=1 rewrites the list from the assembly.</summary>
public class PublicSurfaceTests
{
    private static string ApprovedPath => Path.Combine(TestPaths.RepoRoot, "tests", "GpuMobileNet.Tests", "Packaging", "PublicApi.approved.txt");

    private static List<string> PublicTypes() => typeof(VulkanDevice).Assembly.GetExportedTypes()
        .Select(t => t.FullName!.Replace('+', '.')).Order(StringComparer.Ordinal).ToList();

    [Test]
    public void PublicTypesAreTheApprovedOnes()
    {
        var actual = PublicTypes();
        if (Environment.GetEnvironmentVariable("GMN_UPDATE_API") == "1")
            File.WriteAllLines(ApprovedPath, actual);
        var approved = File.ReadAllLines(ApprovedPath).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(actual.Except(approved), Is.Empty, "public but not approved (make it internal, or add it to PublicApi.approved.txt)");
            Assert.That(approved.Except(actual), Is.Empty, "approved but no longer public (remove it from PublicApi.approved.txt)");
        });
    }

    /// <summary>The internals the issue names stay internal: kernels, passes, planner, buffers, dispatches.</summary>
    [Test]
    public void KernelsPassesPlannerAndBuffersAreInternal()
    {
        var exposed = PublicTypes().Where(n => n.StartsWith("GpuMobileNet.Planning.", StringComparison.Ordinal)
            || (n.StartsWith("GpuMobileNet.Kernels.", StringComparison.Ordinal) && n.EndsWith("Kernel", StringComparison.Ordinal))
            || (n.StartsWith("GpuMobileNet.Passes.", StringComparison.Ordinal) && n != "GpuMobileNet.Passes.PassOptions")
            || n is "GpuMobileNet.Vulkan.GpuBuffer" or "GpuMobileNet.Kernels.KernelDispatch" or "GpuMobileNet.Kernels.KernelSelector");
        Assert.That(exposed, Is.Empty);
    }
}
