using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Import;

/// <summary>The check every import ends with (<see cref="ModelImporter"/>), so a model that cannot run is refused at
/// load, naming the file, rather than when a session is created: every constant finite, also once BatchNorm is folded
/// into it, and a dry run of kernel selection, without a device, that names every op no kernel runs, not only the first.</summary>
internal static class ModelValidation
{
    /// <exception cref="ModelLoadException">A constant is not finite, or some ops have no kernel (each named, with why).</exception>
    /// <param name="kernelDryRun">False: the constants only (the caller's session names the ops it cannot run).</param>
    public static void Check(ModelGraph graph, string file, bool kernelDryRun = true)
    {
        using var phase = Runtime.PhaseLog.Measure(kernelDryRun ? "import validation (constants, kernel dry run)" : "import validation (constants)");
        try
        {
            FiniteConstants.Check(graph);
            FiniteConstants.CheckFolded(graph);
            if (!kernelDryRun) return;
            var unsupported = Unsupported(graph);
            if (unsupported.Count > 0)
                throw new ModelLoadException($"{file}: {KernelSelector.Describe(unsupported)}");
        }
        catch (InvalidGraphException e)
        {
            throw new ModelLoadException($"{file}: {e.Message}", e);
        }
    }

    /// <summary>Why each op that no kernel runs cannot run, after the passes a session with default options runs on a
    /// GPU. The limits assumed are the most a device gives (a 64 KiB uniform window, texel views reaching everything):
    /// what fails here fails on every device. (Only the GPU's pass choices: a CPU implementation's (channel packing
    /// instead of fused blocks) would double the cost of a load, about 0.4 s for MobileNetV2 here; its session lists
    /// every op it cannot run at creation, as every session does.)</summary>
    private static IReadOnlyList<string> Unsupported(ModelGraph graph)
    {
        const int window = (int)(VulkanDevice.MaxUniformWindowBytes / 4);
        var passes = new PassOptions().ResolveFor(cpuDevice: false) with { FusionWindowElements = window };
        var g = PassPipeline.Apply(graph, passes);
        var choice = new KernelChoice();
        // The scratch regions too: a GPU's dense-convolution graphs run packed, with Winograd's tiles in scratch.
        var memory = ReusePlanner.Plan(g, 1, scratchElements: n => KernelSelector.ScratchElements(n, choice, sizeof(float)));
        var ctx = new KernelContext(memory, new WeightPacker(), 1, window);
        return KernelSelector.TryPlanAll(g.Nodes, ctx, choice).Unsupported;
    }
}
