using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Imaging;

/// <summary>How a graph wants an image: size, channel count and layout. An input whose only reader is a Transpose
/// (C, H, W) → (W, C, H) in our axes — ONNX's NHWC-to-NCHW perm [0, 3, 1, 2] — is an NHWC image.</summary>
internal sealed record ImageInput(int Height, int Width, int Channels, bool Nhwc)
{
    /// <summary>What the input of <paramref name="graph"/> expects of an image (size, channels, layout).</summary>
    public static ImageInput Of(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var s = graph.Input.Shape;
        var readers = graph.Nodes.Where(n => n.Inputs.Contains(graph.Input)).ToList();
        bool nhwc = readers.Count > 0 && readers.All(n => n is TransposeOp t && t.Perm.SequenceEqual([2, 0, 1]));
        return nhwc ? new ImageInput(s.C, s.H, s.W, true) : new ImageInput(s.H, s.W, s.C, false);
    }

    /// <summary>An NCHW RGB tensor (3 x Height x Width) in this input's layout and channel count: NHWC interleaved
    /// when <see cref="Nhwc"/>, a fourth (alpha) channel set to <paramref name="alpha"/> when 4 channels.</summary>
    public float[] FromRgb(float[] nchw, float alpha)
    {
        ArgumentNullException.ThrowIfNull(nchw);
        if (Channels is not (3 or 4))
            throw new ArgumentException($"the model's input has {Channels} channels; only RGB (3) and RGBA (4) images are supported");
        int plane = Height * Width;
        var r = new float[Channels * plane];
        for (int c = 0; c < Channels; c++)
            for (int i = 0; i < plane; i++)
                r[Nhwc ? i * Channels + c : c * plane + i] = c < 3 ? nchw[c * plane + i] : alpha;
        return r;
    }

    /// <inheritdoc/>
    public override string ToString() => Nhwc ? $"{Height}x{Width}x{Channels} NHWC" : $"{Channels}x{Height}x{Width} NCHW";
}
