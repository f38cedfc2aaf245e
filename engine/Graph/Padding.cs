namespace GpuMobileNet.Graph;

/// <summary>Zero padding around the spatial dimensions; may be asymmetric (TF "same", Keras ZeroPadding2D).</summary>
internal readonly record struct Padding(int Top, int Left, int Bottom, int Right)
{
    /// <summary>No padding.</summary>
    public static readonly Padding Zero = new(0, 0, 0, 0);
    /// <summary><paramref name="p"/> on every side.</summary>
    public static Padding Symmetric(int p) => new(p, p, p, p);

    /// <summary>TensorFlow's "same" rule: output = ceil(in / stride), extra padding goes bottom/right.</summary>
    public static Padding Same(int inH, int inW, int kernelH, int kernelW, int strideH, int strideW)
    {
        int padH = Math.Max((CeilDiv(inH, strideH) - 1) * strideH + kernelH - inH, 0);
        int padW = Math.Max((CeilDiv(inW, strideW) - 1) * strideW + kernelW - inW, 0);
        return new Padding(padH / 2, padW / 2, padH - padH / 2, padW - padW / 2);
    }

    /// <summary>Whether every side is 0.</summary>
    public bool IsZero => this == Zero;
    /// <summary>Side-by-side sum of two paddings (folding a Pad into a conv).</summary>
    public Padding Add(Padding o) => new(Top + o.Top, Left + o.Left, Bottom + o.Bottom, Right + o.Right);
    /// <inheritdoc/>
    public override string ToString() => $"[t{Top} l{Left} b{Bottom} r{Right}]";
    private static int CeilDiv(int a, int b) => (a + b - 1) / b;
}
