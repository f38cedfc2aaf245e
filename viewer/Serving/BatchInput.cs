namespace GpuMobileNet.Viewer.Serving;

/// <summary>One request's inputs, checked and ready for a device run: <see cref="Samples"/> samples of every graph
/// input as host floats (<see cref="Tensors"/>, one array per input, samples back to back), or one RGBA8 frame of any
/// size per sample for the main input (<see cref="Frames"/>). Requests of the same kind are batched together.</summary>
internal sealed class BatchInput
{
    private BatchInput(int samples, float[][]? tensors, RgbaFrame[]? frames)
    {
        Samples = samples;
        Tensors = tensors;
        Frames = frames;
    }

    public int Samples { get; }
    public float[][]? Tensors { get; }
    public RgbaFrame[]? Frames { get; }
    public bool IsFrames => Frames is not null;

    public static BatchInput FromTensors(int samples, float[][] tensors) => new(samples, tensors, null);

    public static BatchInput FromFrames(RgbaFrame[] frames) => new(frames.Length, null, frames);

    /// <summary>Host bytes this input holds (what the bounded queue keeps in memory per request).</summary>
    public long Bytes => Tensors?.Sum(t => 4L * t.Length) ?? Frames!.Sum(f => (long)f.Rgba.Length);
}

/// <summary>One sample's image: <see cref="Width"/> x <see cref="Height"/> pixels, 4 bytes each (RGBA; alpha ignored).</summary>
internal readonly record struct RgbaFrame(ReadOnlyMemory<byte> Rgba, int Width, int Height);
