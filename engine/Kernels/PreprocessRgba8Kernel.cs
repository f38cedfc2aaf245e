using GpuMobileNet.Graph;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/preprocess_rgba8.comp: a packed RGBA8 frame of any size (read through binding 1, which the
/// dispatch's own descriptor set points at the frame buffer) → the network input, normalised and stretched with
/// align-corners bilinear sampling exactly as <see cref="Imaging.ImagePreprocessor.ToTensor"/> does.</summary>
internal static class PreprocessRgba8Kernel
{
    /// <summary>shaders/preprocess_rgba8.comp.</summary>
    public static readonly KernelId<PreprocessRgba8Constants> Id = new("preprocess_rgba8");

    /// <summary>Words before the pixels in the frame buffer: width, height.</summary>
    public const int HeaderWords = 2;

    /// <summary>One dispatch writing batch item 0 of <paramref name="input"/> (NCHW, at <paramref name="inputOffset"/>
    /// elements into the arena, <paramref name="activationBytes"/> per element).</summary>
    /// <param name="bgra">The pixels are BGRA8 (a host's B8G8R8A8 image) rather than RGBA8.</param>
    public static KernelDispatch Plan(Value input, uint inputOffset, int activationBytes, Rgba8Normalisation norm, bool bgra = false)
    {
        var shape = input.Shape;
        if (shape.C != 3)
            throw new ArgumentException($"input '{input.Name}' ({shape}) has {shape.C} channels; an RGBA8 frame fills 3");
        if (input.Layout != TensorLayout.Nchw)
            throw new ArgumentException($"input '{input.Name}' is stored {input.Layout}; the RGBA8 preprocessing writes NCHW");
        int plane = shape.H * shape.W;
        var spec = new PreprocessRgba8Constants(
            KernelContext.WorkgroupSize, shape.W, shape.H, norm.Scale, norm.Mean[0], norm.Mean[1], norm.Mean[2],
            norm.Std[0], norm.Std[1], norm.Std[2], bgra);
        var written = new ByteRange((ulong)inputOffset * (ulong)activationBytes, (ulong)shape.Elements * (ulong)activationBytes);
        return KernelDispatch.Create("preprocess_rgba8", Id, spec, new PushOffsets(0, 0, inputOffset, 0, 0),
            (KernelContext.Groups(plane, KernelContext.WorkgroupSize), 1, 1), [], [written]);
    }
}

/// <summary>value = (pixel * Scale - Mean[c]) / Std[c], as <see cref="Imaging.ImagePreprocessor.ToTensor"/> takes it.
/// Thread-safety: immutable as long as the Mean and Std arrays are not changed after construction.</summary>
public sealed record Rgba8Normalisation(float Scale, float[] Mean, float[] Std)
{
    /// <summary>nsfwjs's (and the CLI's) preprocessing: pixel / 255.</summary>
    public static Rgba8Normalisation Default { get; } = new(1 / 255f, [0, 0, 0], [1, 1, 1]);
}

/// <summary>The specialisation constants of shaders/preprocess_rgba8.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct PreprocessRgba8Constants(
    int LocalSize, int OutW, int OutH, float Scale, float MeanR, float MeanG, float MeanB, float StdR, float StdG,
    float StdB, GlslBool Bgra) : ISpecConstants;
