using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Gpu;

/// <summary>The check a kernel test makes that the kernel under test is the one that ran: a pass, a layout choice or a
/// fallback could route the layer through another kernel and the comparison with the oracle would still pass. It reads
/// the session's planned dispatches, which are what its command buffer replays. <see cref="KernelTestsCheckWhatRanTests"/>
/// fails for a kernel test file that never makes this check.</summary>
internal static class Ran
{
    /// <summary>Fails unless <paramref name="session"/> runs <paramref name="kernel"/>, for the layer named
    /// <paramref name="layer"/> when one is given (its dispatch, or one of its parts where it is split).</summary>
    public static void Kernel(InferenceSession session, KernelId kernel, string? layer = null) =>
        Kernel(session.Dispatches, kernel, layer);

    /// <inheritdoc cref="Kernel(InferenceSession, KernelId, string?)"/>
    public static void Kernel(IEnumerable<KernelDispatch> dispatches, KernelId kernel, string? layer = null)
    {
        var all = dispatches.ToList();
        var ofLayer = all.Where(d => layer is null || d.Label == layer || d.Label.StartsWith(layer + "[", StringComparison.Ordinal));
        string what = layer is null ? kernel.Shader : $"{kernel.Shader} for layer '{layer}'";
        Assert.That(ofLayer.Select(d => d.Shader), Has.Member(kernel.Shader),
            $"{what} did not run; the dispatches were: {string.Join(", ", all.Select(d => $"{d.Label}: {d.Shader}"))}");
    }
}
