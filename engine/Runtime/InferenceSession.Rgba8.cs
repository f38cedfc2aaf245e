using GpuMobileNet.Kernels;

namespace GpuMobileNet.Runtime;

// Convenience forms of one frame into the main input and the main output out, thin over an IoBinding the session keeps
// (a frame source, or the host's image, and a host-float sink).
public sealed partial class InferenceSession
{
    /// <summary>Largest frame side a frame or image source accepts (keeps the shader's integer positions in range).</summary>
    public const int MaxRgba8Side = 16384;

    private IoBinding? _frameBinding;

    /// <summary>What the frame forms record before the network (the preprocessing); empty before the first frame.</summary>
    internal IReadOnlyList<KernelDispatch> Rgba8Dispatches => _frameBinding?.Plan?.Preprocessing ?? [];
    private byte[] _frameBytes = [];
    private float[] _frameOutput = [];

    /// <summary>Runs the network on one RGBA8 frame (<paramref name="width"/> x <paramref name="height"/>, rows top to
    /// bottom, 4 bytes per pixel, alpha ignored) of any size: stretched to the input and normalised on the device with
    /// <paramref name="normalisation"/> (default pixel / 255), matching <see cref="Imaging.ImagePreprocessor.ToTensor"/>.
    /// Batch-1 sessions; for batches, extra outputs or no copy of the frame, bind frames to an <see cref="IoBinding"/>
    /// (<see cref="IoBinding.BindFrame"/>). The first call, and one with a frame larger than any before, records.</summary>
    public RunResult RunRgba8(ReadOnlySpan<byte> rgba, int width, int height, Span<float> output, Rgba8Normalisation? normalisation = null)
    {
        lock (_runLock)
        {
            var binding = FrameBinding("RunRgba8", output);
            if (_frameBytes.Length < rgba.Length) _frameBytes = new byte[rgba.Length];
            rgba.CopyTo(_frameBytes);
            binding.BindFrame(Graph.Input.Name, 0, _frameBytes.AsMemory(0, rgba.Length), width, height, HostImageFormat.Rgba8, normalisation);
            return FinishFrameRun(binding, output);
        }
    }

    /// <summary>The binding behind the frame forms, created at the first call (call with the run lock held).</summary>
    private IoBinding FrameBinding(string entryPoint, Span<float> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireSingleInput(entryPoint);
        if (Batch != 1)
            throw new InvalidOperationException($"{entryPoint} fills one image; session '{Graph.Name}' has batch {Batch}: bind a frame per sample to an IoBinding");
        if (output.Length != OutputLength)
            throw new ArgumentException($"output span has {output.Length} values; '{Graph.Name}' produces {OutputShape} = {OutputLength}");
        if (_frameBinding is null)
        {
            _frameOutput = new float[OutputLength];
            _frameBinding = CreateIoBinding().BindOutput(Graph.Output.Name, _frameOutput);
        }
        return _frameBinding;
    }

    private RunResult FinishFrameRun(IoBinding binding, Span<float> output, ulong waitSemaphore = 0, ulong signalSemaphore = 0)
    {
        var result = Run(binding, waitSemaphore, signalSemaphore);
        _frameOutput.CopyTo(output);
        return result;
    }
}
