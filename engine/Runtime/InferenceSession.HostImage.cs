using GpuMobileNet.Kernels;
using GpuMobileNet.Vulkan;
using Silk.NET.Vulkan;

namespace GpuMobileNet.Runtime;

/// <summary>Pixel order of a host image <see cref="InferenceSession.RunFromImage"/> reads.</summary>
public enum HostImageFormat
{
    /// <summary>VK_FORMAT_R8G8B8A8_UNORM (or _SRGB: the bytes are taken as they are).</summary>
    Rgba8,
    /// <summary>VK_FORMAT_B8G8R8A8_UNORM (or _SRGB), the usual swapchain format.</summary>
    Bgra8,
}

// Input straight from a GPU image the host owns (a game engine's render target or camera texture): copied into the
// frame buffer by the command buffer itself, then preprocessed and run, with no host round trip for the pixels.
public sealed partial class InferenceSession
{
    private HostImageRun? _hostImage;

    /// <summary>Runs the network on a host's VkImage: mip 0, layer 0, 4 bytes per texel, created with
    /// TRANSFER_SRC usage on this session's device, in <paramref name="layout"/> (it is moved to TRANSFER_SRC_OPTIMAL
    /// for the copy and back after it). Stretched to the input and normalised on the device as <see cref="RunRgba8"/>
    /// does. Batch-1 sessions. The command buffer is recorded on the first call and again only when the image, its
    /// size, format or layout change.</summary>
    /// <param name="waitSemaphore">A binary VkSemaphore the host signals when the image is ready, or 0.</param>
    /// <param name="signalSemaphore">A VkSemaphore signalled when the run is done, or 0.</param>
    public void RunFromImage(ulong image, int width, int height, HostImageFormat format, ImageLayout layout, Span<float> output,
        Rgba8Normalisation? normalisation = null, ulong waitSemaphore = 0, ulong signalSemaphore = 0)
    {
        RequireSingleInput("RunFromImage");
        if (image == 0) throw new ArgumentException("image is VK_NULL_HANDLE", nameof(image));
        if (layout is ImageLayout.Undefined or ImageLayout.Preinitialized)
            throw new ArgumentException($"image layout {layout}: the image's contents must be defined (and it must return to a layout it can hold)", nameof(layout));
        if (Batch != 1)
            throw new InvalidOperationException($"RunFromImage fills one image; session '{Graph.Name}' has batch {Batch}");
        if (width < 1 || height < 1 || width > MaxRgba8Side || height > MaxRgba8Side)
            throw new ArgumentException($"image size {width}x{height}: each side must be 1..{MaxRgba8Side}");
        if (output.Length != OutputLength)
            throw new ArgumentException($"output span has {output.Length} values; '{Graph.Name}' produces {OutputShape} = {OutputLength}");
        normalisation ??= Rgba8Normalisation.Default;
        var key = new HostImageKey(image, width, height, format, layout, normalisation);
        lock (_runLock)
        {
            BeginRunLocked();
            if (_hostImage is null || _hostImage.Key != key)
            {
                _hostImage?.Frames.Dispose();
                _hostImage = null;
                _hostImage = new HostImageRun(key, RecordHostImage(key));
            }
            _device.SubmitAndWait(_hostImage.Frames.Recorder, waitSemaphore, signalSemaphore);
            ReadOutput(output);
        }
    }

    private Rgba8Frames RecordHostImage(HostImageKey key)
    {
        int bytes = checked(key.Width * key.Height * 4);
        var dispatch = PreprocessRgba8Kernel.Plan(Graph.Input, checked((uint)Memory.OffsetOf(Graph.Input)), ActivationBytes, key.Normalisation,
            bgra: key.Format == HostImageFormat.Bgra8);
        var frames = new Rgba8Frames(_device, _arena, bytes, ActivationBytes, Dispatches.Count + 1, key.Normalisation);
        try
        {
            frames.WriteHeader(key.Width, key.Height);
            var pipelines = _device.Pipelines;
            Record(frames.Recorder, r =>
            {
                r.CopyImageToBuffer(new Image(key.Image), key.Layout, (uint)key.Width, (uint)key.Height, frames.Frame, PreprocessRgba8Kernel.HeaderWords * 4);
                r.Dispatch(pipelines.Get(dispatch.Shader + ShaderSuffix, dispatch.SpecConstants), pipelines.Layout, frames.Bindings.Set,
                    dispatch.Push.ToArray(), dispatch.Groups, dispatch.Reads, dispatch.Writes, dispatch.Label);
            });
            return frames;
        }
        catch
        {
            frames.Dispose();
            throw;
        }
    }

    private sealed record HostImageKey(ulong Image, int Width, int Height, HostImageFormat Format, ImageLayout Layout, Rgba8Normalisation Normalisation);

    private sealed record HostImageRun(HostImageKey Key, Rgba8Frames Frames);
}
