using GpuMobileNet.Kernels;
using Silk.NET.Vulkan;

namespace GpuMobileNet.Runtime;

/// <summary>Pixel order of a frame or host image source (<see cref="IoBinding.BindFrame"/>, <see cref="IoBinding.BindImage"/>).
/// Thread-safety: a plain enum value, thread-safe.</summary>
public enum HostImageFormat
{
    /// <summary>R, G, B, A bytes (VK_FORMAT_R8G8B8A8_UNORM or _SRGB: the bytes are taken as they are).</summary>
    Rgba8,
    /// <summary>B, G, R, A bytes (VK_FORMAT_B8G8R8A8_UNORM or _SRGB), the usual swapchain format.</summary>
    Bgra8,
}

public sealed partial class InferenceSession
{
    /// <summary>Runs the network on a host's VkImage (see <see cref="IoBinding.BindImage"/>) into the main output: a
    /// convenience form over the session's frame binding, batch 1. The command buffer is recorded on the first call and
    /// again only when the image, its size, format or layout change.</summary>
    /// <param name="waitSemaphore">A binary VkSemaphore the host signals when the image is ready, or 0.</param>
    /// <param name="signalSemaphore">A VkSemaphore signalled when the run is done, or 0.</param>
    public RunResult RunFromImage(ulong image, int width, int height, HostImageFormat format, ImageLayout layout, Span<float> output,
        Rgba8Normalisation? normalisation = null, ulong waitSemaphore = 0, ulong signalSemaphore = 0)
    {
        lock (_runLock)
        {
            var binding = FrameBinding("RunFromImage", output);
            binding.BindImage(Graph.Input.Name, 0, image, width, height, format, layout, normalisation);
            return FinishFrameRun(binding, output, waitSemaphore, signalSemaphore);
        }
    }
}
