using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Graph;

/// <summary>Builder methods for the ops the ONNX importer added (element-wise product, max pooling).</summary>
internal sealed partial class GraphBuilder
{
    /// <summary>a * b, where b has a's shape or is C x 1 x 1 (one factor per channel).</summary>
    public Value Mul(string name, Value a, Value b)
    {
        if (b.Shape != a.Shape && b.Shape != new TensorShape(a.Shape.C, 1, 1))
            Fail(name, "Mul", $"'{b.Name}' is {b.Shape}; it must be {a.Shape} or {a.Shape.C}x1x1 to multiply '{a.Name}'");
        var y = NewValue(name, "Mul", a.Shape);
        Append(new MulOp(name, a, b, y));
        return y;
    }

    /// <summary>Max pooling of <paramref name="x"/> over kernelH x kernelW windows with the given strides and padding (padding never wins the max).</summary>
    public Value MaxPool(string name, Value x, int kernelH, int kernelW, int strideH, int strideW, Padding pad)
    {
        var s = x.Shape;
        if (kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0 || pad.Top >= kernelH || pad.Bottom >= kernelH || pad.Left >= kernelW || pad.Right >= kernelW)
            Fail(name, "MaxPool", $"pool {kernelH}x{kernelW} stride {strideH}x{strideW} padding {pad} is not a valid window");
        var (h, w) = Conv2dOp.OutputSize(s.H, s.W, kernelH, kernelW, strideH, strideW, pad);
        if (h <= 0 || w <= 0)
            Fail(name, "MaxPool", $"pool {kernelH}x{kernelW} stride {strideH}x{strideW} does not fit input {s}");
        var y = NewValue(name, "MaxPool", new TensorShape(s.C, h, w));
        Append(new MaxPoolOp(name, x, y, kernelH, kernelW, strideH, strideW, pad));
        return y;
    }
}

/// <summary>Builder methods for layout ops the ONNX importer added (transpose, concatenation, reshape).</summary>
internal sealed partial class GraphBuilder
{
    /// <summary>Output axis i is input axis perm[i], over (C, H, W).</summary>
    public Value Transpose(string name, Value x, int[] perm)
    {
        if (perm.Length != 3 || perm.Distinct().Count() != 3 || perm.Any(p => p < 0 || p > 2))
            Fail(name, "Transpose", $"perm [{string.Join(", ", perm)}] is not a permutation of (C, H, W)");
        int[] d = [x.Shape.C, x.Shape.H, x.Shape.W];
        var y = NewValue(name, "Transpose", new TensorShape(d[perm[0]], d[perm[1]], d[perm[2]]));
        Append(new TransposeOp(name, x, y, perm));
        return y;
    }

    /// <summary>Channel concatenation; a null part is <paramref name="channels"/>[i] channels of zeros.</summary>
    public Value Concat(string name, IReadOnlyList<Value?> parts, IReadOnlyList<int> channels)
    {
        var first = parts.FirstOrDefault(p => p is not null) ?? throw new InvalidGraphException($"Concat '{name}': no input");
        if (parts.Count != channels.Count || channels.Any(c => c <= 0))
            Fail(name, "Concat", "every part needs a positive channel count");
        for (int i = 0; i < parts.Count; i++)
            if (parts[i] is { } p && (p.Shape.C != channels[i] || p.Shape.H != first.Shape.H || p.Shape.W != first.Shape.W))
                Fail(name, "Concat", $"'{p.Name}' is {p.Shape}; parts must share height and width ({first.Shape})");
        var y = NewValue(name, "Concat", new TensorShape(checked(channels.Sum()), first.Shape.H, first.Shape.W));
        Append(new ConcatOp(name, parts.ToList(), channels.ToList(), y));
        return y;
    }

    /// <summary>The same NCHW memory seen as another shape of the same size: a <see cref="FlattenOp"/> (free on the
    /// GPU, an alias in the planner) whose output is <paramref name="shape"/> rather than C*H*W x 1 x 1.</summary>
    public Value Reshape(string name, Value x, TensorShape shape)
    {
        if (shape.C <= 0 || shape.H <= 0 || shape.W <= 0 || (long)shape.C * shape.H * shape.W != x.Shape.Elements)
            Fail(name, "Reshape", $"{x.Shape} cannot be seen as {shape}");
        var y = NewValue(name, "Reshape", shape);
        Append(new FlattenOp(name, x, y));
        return y;
    }
}

/// <summary>Builder method for a channel range (ONNX Split and Slice on channels).</summary>
internal sealed partial class GraphBuilder
{
    /// <summary>Channels <paramref name="first"/> .. first + count - 1 of <paramref name="x"/> (ONNX Split/Slice on the channel axis).</summary>
    public Value SliceChannels(string name, Value x, int first, int count)
    {
        if (first < 0 || count <= 0 || first + count > x.Shape.C)
            Fail(name, "SliceChannels", $"channels {first}..{first + count - 1} are not within '{x.Name}' ({x.Shape})");
        var y = NewValue(name, "SliceChannels", new TensorShape(count, x.Shape.H, x.Shape.W));
        Append(new SliceChannelsOp(name, x, y, first));
        return y;
    }
}

/// <summary>Builder method for a spatial resize (ONNX Resize / Upsample).</summary>
internal sealed partial class GraphBuilder
{
    /// <summary>Spatial resize of <paramref name="x"/> to outH x outW (ONNX Resize/Upsample): bilinear when <paramref name="linear"/>, else nearest.</summary>
    public Value Resize(string name, Value x, int outH, int outW, bool linear, ResizeCoordinates coordinates, ResizeNearest nearest, float scaleH, float scaleW)
    {
        if (outH <= 0 || outW <= 0 || outH > 1 << 16 || outW > 1 << 16 || !(scaleH > 0) || !(scaleW > 0) || float.IsInfinity(scaleH) || float.IsInfinity(scaleW))
            Fail(name, "Resize", $"output {outH}x{outW} with scales {scaleH}, {scaleW} is not a valid size");
        var y = NewValue(name, "Resize", new TensorShape(x.Shape.C, outH, outW));
        Append(new ResizeOp(name, x, y, linear, coordinates, nearest, scaleH, scaleW));
        return y;
    }
}

/// <summary>Builder method for element-wise equality (ONNX Equal, as 1.0 / 0.0).</summary>
internal sealed partial class GraphBuilder
{
    /// <summary>1 where <paramref name="a"/> equals <paramref name="b"/> element-wise, else 0 (ONNX Equal).</summary>
    public Value Equal(string name, Value a, Value b)
    {
        if (a.Shape != b.Shape)
            Fail(name, "Equal", $"input shapes differ: '{a.Name}' is {a.Shape}, '{b.Name}' is {b.Shape}");
        var y = NewValue(name, "Equal", a.Shape);
        Append(new EqualOp(name, a, b, y));
        return y;
    }
}
