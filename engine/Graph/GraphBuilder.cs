using System.Globalization;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Ops;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Graph;

/// <summary>Builds a <see cref="ModelGraph"/> op by op, inferring each output shape and checking
/// weight sizes as it goes, so a wrong model fails at the op that is wrong.</summary>
internal sealed partial class GraphBuilder
{
    private readonly List<Node> _nodes = [];
    private readonly HashSet<string> _names = [];
    private readonly string _graphName;

    /// <summary>The most elements one sample of any tensor may have (2 GiB as float32): more than any device binds
    /// in one buffer, and past it int arithmetic on shapes and offsets could overflow.</summary>
    public const long MaxTensorElements = 1L << 29;

    /// <summary>The largest kernel, stride or padding (per side) an op may have; keeps shape arithmetic in range.</summary>
    public const int MaxWindow = 1 << 16;

    /// <summary>Starts a graph named <paramref name="graphName"/> with one NCHW input of <paramref name="inputShape"/> (per sample).</summary>
    public GraphBuilder(string graphName, TensorShape inputShape, string inputName = "input")
    {
        if (inputShape.C <= 0 || inputShape.H <= 0 || inputShape.W <= 0)
            throw new InvalidGraphException($"graph '{graphName}': input shape {inputShape} must be positive");
        if (ElementCount(inputShape) > MaxTensorElements)
            throw new InvalidGraphException($"graph '{graphName}': input shape {inputShape} has {ElementCount(inputShape).ToString("N0", CultureInfo.InvariantCulture)} elements, more than the limit of {MaxTensorElements.ToString("N0", CultureInfo.InvariantCulture)}");
        _graphName = graphName;
        Input = new Value(inputName, inputShape);
        _names.Add(inputName);
    }

    /// <summary>The graph's input value.</summary>
    public Value Input { get; }
    /// <summary>The nodes added so far, in order.</summary>
    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>A square convolution (weights OIHW, OI/groups for grouped and depthwise) with an optional bias and fused activation.</summary>
    public Value Conv2d(string name, Value x, int outC, int kernel, int stride, Padding pad, int groups,
        float[] weights, float[]? bias = null, Activation act = Graph.Activation.None) =>
        Conv2d(name, x, outC, kernel, kernel, stride, stride, pad, groups, weights, bias, act);

    /// <summary>A convolution with separate kernel sizes and strides per axis (weights OIHW, I = in channels / groups).</summary>
    public Value Conv2d(string name, Value x, int outC, int kernelH, int kernelW, int strideH, int strideW,
        Padding pad, int groups, float[] weights, float[]? bias = null, Activation act = Graph.Activation.None, int dilationH = 1, int dilationW = 1)
    {
        var s = x.Shape;
        if (groups <= 0 || s.C % groups != 0 || outC % groups != 0)
            Fail(name, "Conv2d", $"groups {groups} must divide input channels {s.C} and output channels {outC}");
        if (kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0)
            Fail(name, "Conv2d", $"kernel {kernelH}x{kernelW} and stride {strideH}x{strideW} must be positive");
        CheckWindow(name, "Conv2d", kernelH, kernelW, strideH, strideW, pad);
        if (dilationH <= 0 || dilationW <= 0 || (long)(kernelH - 1) * dilationH >= MaxWindow || (long)(kernelW - 1) * dilationW >= MaxWindow)
            Fail(name, "Conv2d", $"dilation {dilationH}x{dilationW} of kernel {kernelH}x{kernelW} must be positive and span at most {MaxWindow}");
        var (h, w) = Conv2dOp.OutputSize(s.H, s.W, kernelH, kernelW, strideH, strideW, pad, dilationH, dilationW);
        if (h <= 0 || w <= 0)
            Fail(name, "Conv2d", $"kernel {kernelH}x{kernelW} (dilation {dilationH}x{dilationW}) does not fit input {s} with padding {pad}");
        CheckLength(name, "Conv2d", "weights", weights, (long)outC * (s.C / groups) * kernelH * kernelW);
        if (bias is not null) CheckLength(name, "Conv2d", "bias", bias, outC);
        var y = NewValue(name, "Conv2d", new TensorShape(outC, h, w));
        Append(new Conv2dOp(name, x, y, kernelH, kernelW, strideH, strideW, pad, groups, weights, bias, act, DilationH: dilationH, DilationW: dilationW));
        return y;
    }

    /// <summary>Batch normalisation with per-channel gamma, beta, running mean and variance (folded into the previous conv by the passes).</summary>
    public Value BatchNorm(string name, Value x, float[] gamma, float[] beta, float[] mean, float[] variance, float epsilon)
    {
        foreach (var (what, a) in new[] { ("gamma", gamma), ("beta", beta), ("mean", mean), ("variance", variance) })
            CheckLength(name, "BatchNorm", what, a, x.Shape.C);
        CheckBatchNormScale(name, gamma, variance, epsilon);
        var y = NewValue(name, "BatchNorm", x.Shape);
        Append(new BatchNormOp(name, x, y, gamma, beta, mean, variance, epsilon));
        return y;
    }

    /// <summary>An element-wise activation of <paramref name="x"/>.</summary>
    public Value Activate(string name, Value x, Activation act)
    {
        var y = NewValue(name, "Activation", x.Shape);
        Append(new ActivationOp(name, x, y, act));
        return y;
    }

    /// <summary>Element-wise sum of two values of one shape, optionally followed by an activation.</summary>
    public Value Add(string name, Value a, Value b, Activation act = Graph.Activation.None)
    {
        if (a.Shape != b.Shape)
            Fail(name, "Add", $"input shapes differ: '{a.Name}' is {a.Shape}, '{b.Name}' is {b.Shape}");
        var y = NewValue(name, "Add", a.Shape);
        Append(new AddOp(name, a, b, y, act));
        return y;
    }

    /// <summary>Zero padding around the spatial dimensions of <paramref name="x"/>.</summary>
    public Value Pad(string name, Value x, Padding pad)
    {
        if (pad.Top < 0 || pad.Left < 0 || pad.Bottom < 0 || pad.Right < 0)
            Fail(name, "Pad", $"negative padding {pad}");
        CheckWindow(name, "Pad", 1, 1, 1, 1, pad);
        var s = x.Shape;
        var y = NewValue(name, "Pad", new TensorShape(s.C, s.H + pad.Top + pad.Bottom, s.W + pad.Left + pad.Right));
        Append(new PadOp(name, x, y, pad));
        return y;
    }

    /// <summary>Average pooling over kernelH x kernelW windows (padding excluded from the average).</summary>
    public Value AvgPool(string name, Value x, int kernelH, int kernelW, int strideH, int strideW, Padding pad)
    {
        var s = x.Shape;
        CheckWindow(name, "AvgPool", kernelH, kernelW, strideH, strideW, pad);
        var (h, w) = Conv2dOp.OutputSize(s.H, s.W, kernelH, kernelW, strideH, strideW, pad);
        if (h <= 0 || w <= 0 || kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0)
            Fail(name, "AvgPool", $"pool {kernelH}x{kernelW} stride {strideH}x{strideW} does not fit input {s}");
        var y = NewValue(name, "AvgPool", new TensorShape(s.C, h, w));
        Append(new AvgPoolOp(name, x, y, kernelH, kernelW, strideH, strideW, pad));
        return y;
    }

    /// <summary>Average over the whole spatial extent: C x 1 x 1.</summary>
    public Value GlobalAvgPool(string name, Value x) =>
        AvgPool(name, x, x.Shape.H, x.Shape.W, x.Shape.H, x.Shape.W, Padding.Zero);

    /// <summary>Flattens C x H x W to (C*H*W) x 1 x 1 for a following <see cref="Dense"/>.</summary>
    public Value Flatten(string name, Value x)
    {
        var y = NewValue(name, "Flatten", new TensorShape(x.Shape.Elements, 1, 1));
        Append(new FlattenOp(name, x, y));
        return y;
    }

    /// <summary>A fully connected layer of <paramref name="units"/> outputs (weights [units][in features]) with an optional bias and activation.</summary>
    public Value Dense(string name, Value x, int units, float[] weights, float[]? bias = null, Activation act = Graph.Activation.None)
    {
        if (x.Shape.H != 1 || x.Shape.W != 1)
            Fail(name, "Dense", $"input '{x.Name}' is {x.Shape}; flatten it to Cx1x1 first");
        CheckLength(name, "Dense", "weights", weights, (long)units * x.Shape.C);
        if (bias is not null) CheckLength(name, "Dense", "bias", bias, units);
        var y = NewValue(name, "Dense", new TensorShape(units, 1, 1));
        Append(new DenseOp(name, x, y, weights, bias, act));
        return y;
    }

    /// <summary>Softmax over the channels.</summary>
    public Value Softmax(string name, Value x)
    {
        if (x.Shape.H != 1 || x.Shape.W != 1)
            Fail(name, "Softmax", $"input '{x.Name}' is {x.Shape}; softmax runs over channels of a Cx1x1 tensor");
        var y = NewValue(name, "Softmax", x.Shape);
        Append(new SoftmaxOp(name, x, y));
        return y;
    }

    /// <summary>The finished graph with <paramref name="output"/> as its output.</summary>
    public ModelGraph Build(Value output) => new(_graphName, Input, _nodes.ToList(), output, null, _extraInputs.ToList());

    private Value NewValue(string name, string op, TensorShape shape)
    {
        if (shape.C <= 0 || shape.H <= 0 || shape.W <= 0)
            Fail(name, op, $"output shape {shape} must be positive");
        if (ElementCount(shape) > MaxTensorElements)
            Fail(name, op, $"output shape {shape} has {ElementCount(shape).ToString("N0", CultureInfo.InvariantCulture)} elements, more than the limit of {MaxTensorElements.ToString("N0", CultureInfo.InvariantCulture)}");
        if (!_names.Add(name))
            throw new InvalidGraphException($"graph '{_graphName}': two ops are named '{name}'");
        return new Value(name, shape);
    }

    private static long ElementCount(TensorShape s) => (long)s.C * s.H * s.W;

    // Every constant an op gets passes here: a wrong count or a NaN / infinity is caught at the op that has it,
    // instead of turning every output into the same silent answer.
    private static void CheckLength(string name, string op, string what, float[] data, long expected)
    {
        if (data.Length != expected)
            Fail(name, op, $"{what} has {data.Length} values, expected {expected}");
        for (int i = 0; i < data.Length; i++)
            if (!float.IsFinite(data[i]))
                Fail(name, op, $"{what} has a non-finite value ({data[i].ToString(CultureInfo.InvariantCulture)}) at index {i}");
    }

    private static void CheckWindow(string name, string op, int kernelH, int kernelW, int strideH, int strideW, Padding pad)
    {
        if (new[] { kernelH, kernelW, strideH, strideW, pad.Top, pad.Left, pad.Bottom, pad.Right }.Any(v => v > MaxWindow))
            Fail(name, op, $"kernel {kernelH}x{kernelW}, stride {strideH}x{strideW} or padding {pad} is larger than the limit of {MaxWindow}");
    }

    // BatchNorm divides by sqrt(variance + epsilon): that must be a positive number and the scale it gives finite,
    // or folding it into the convolution makes every weight of the channel NaN or infinite.
    private static void CheckBatchNormScale(string name, float[] gamma, float[] variance, float epsilon)
    {
        if (!float.IsFinite(epsilon) || epsilon < 0)
            Fail(name, "BatchNorm", $"epsilon {epsilon} must be a finite number >= 0");
        for (int c = 0; c < variance.Length; c++)
        {
            double denominator = (double)variance[c] + epsilon;
            if (!(denominator > 0))
                Fail(name, "BatchNorm", $"variance + epsilon is {denominator} at channel {c}; it must be positive");
            if (!float.IsFinite((float)(gamma[c] / Math.Sqrt(denominator))))
                Fail(name, "BatchNorm", $"gamma / sqrt(variance + epsilon) at channel {c} is not finite in float32 (variance {variance[c]}, epsilon {epsilon})");
        }
    }

    // The builder derives each output shape itself; the op's provider checks it once more, so a builder method and the
    // shape rule the passes and tests rely on cannot drift apart.
    private void Append(Node node)
    {
        OpRegistry.CheckShape(node);
        _nodes.Add(node);
    }

    private static void Fail(string name, string op, string message) =>
        throw new InvalidGraphException($"{op} '{name}': {message}");
}
