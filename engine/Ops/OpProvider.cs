using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>One op type's everything, as ncnn keeps one layer class per op: its shape rule, its CPU reference (the
/// oracle), the GPU kernels that run it and how they are chosen, what those kernels can do (layouts, in place, a fused
/// activation) and its ONNX export. Registered once in <see cref="OpRegistry"/>; the executor, the kernel selector,
/// the exporter, the planner and the passes ask the registry, so adding an op is adding a provider.</summary>
/// <typeparam name="TOp">The graph op this provider runs.</typeparam>
internal abstract class OpProvider<TOp> : IOpProvider where TOp : Node
{
    /// <inheritdoc/>
    public Type OpType => typeof(TOp);

    /// <inheritdoc/>
    public abstract IReadOnlyList<KernelId> Kernels { get; }

    /// <inheritdoc/>
    public virtual string? NoKernelReason => null;

    /// <inheritdoc/>
    public virtual string? NoExportReason => null;

    /// <summary>The shape rule: the output shape (per sample) that the op's inputs and attributes give; where an
    /// attribute is the output size itself (a resize's sizes, a slice's channel count), the output's own.</summary>
    /// <exception cref="InvalidGraphException">The inputs and attributes do not fit together (the message names the op).</exception>
    public abstract TensorShape OutputShape(TOp op);

    /// <summary>The CPU reference: the op's output for <paramref name="batch"/> NCHW samples back to back, from the values
    /// computed so far (its inputs among them). Accumulates in double and rounds to float once per output element.</summary>
    public abstract float[] Reference(TOp op, IReadOnlyDictionary<Value, float[]> values, int batch);

    /// <summary>The dispatches that run <paramref name="op"/>, its tensors in the layouts they have (checked by
    /// <see cref="SupportsLayouts"/> first): the kernel choice for this op, fastest that fits first.</summary>
    /// <exception cref="NotSupportedException">No kernel runs it on this device (the message names the op and the limit).</exception>
    public abstract IReadOnlyList<KernelDispatch> Plan(TOp op, KernelContext ctx, KernelChoice choice);

    /// <summary>Whether some kernel of the op runs it with its tensors in their current layouts. By default NCHW only.</summary>
    public virtual bool SupportsLayouts(TOp op) => op.Inputs.Append(op.Output).All(v => v.Layout == TensorLayout.Nchw);

    /// <summary>The op rewritten so its kernel runs on NC4HW4 tensors, its inputs' packed forms from
    /// <paramref name="packing"/> and its output <see cref="IChannelPacking.ProducedPacked"/> (an output left NCHW
    /// stays planar), or null where no kernel of it can given what exists packed by now: the op then stays planar. Asked
    /// by <see cref="Passes.PackChannels"/> for every node in order; asks <see cref="KernelCapabilities"/> what the
    /// kernels read and write, and makes no packed form before it has decided. By default null.</summary>
    public virtual TOp? WithPackedTensors(TOp op, IChannelPacking packing) => null;

    /// <summary>Whether the op's kernel can write its output straight into a channel range of a wider tensor of the
    /// same layout (<see cref="ConcatPartWriteKernel"/>). By default no.</summary>
    public virtual bool WritesIntoConcat(TOp op) => false;

    /// <summary>The dispatches that compute the op into its channels of <paramref name="target"/>'s buffer, where
    /// <see cref="WritesIntoConcat"/> says it can (the last writes the buffer; a Winograd convolution's first two its scratch).</summary>
    public virtual IReadOnlyList<KernelDispatch> PlanIntoConcat(TOp op, KernelContext ctx, ConcatTarget target) =>
        throw new NotSupportedException($"{op} has no kernel that writes into a channel range of a {target.Write.Output.Layout} tensor");

    /// <summary>The input the op may overwrite with its output (its kernel reads each input element at the index it
    /// writes, in the same invocation), or null. <see cref="Planning.Liveness"/> still checks that it dies there.</summary>
    public virtual Value? InPlaceInput(TOp op) => null;

    /// <summary>Whether an activation after the op can be fused into it (it takes one and has none yet). By default no.</summary>
    public virtual bool TakesActivation(TOp op) => false;

    /// <summary>The op with <paramref name="activation"/> fused in, writing <paramref name="output"/>.</summary>
    public virtual TOp WithActivation(TOp op, Activation activation, Value output) =>
        throw new InvalidOperationException($"{op} cannot take a fused activation");

    /// <summary>Whether every element of the op's output is >= 0, given which values are (its fused activation is a ReLU,
    /// or it pools or joins non-negative values): a ReLU after it changes nothing (asked by
    /// <see cref="Passes.FoldReluIntoConcat"/>). By default no.</summary>
    public virtual bool NonNegative(TOp op, Func<Value, bool> isNonNegative) => false;

    /// <summary>Whether the op only moves channels (a split, concatenation or shuffle), which runs as a copy dispatch
    /// unless a pass folds it into a view (asked by <see cref="Passes.PassPipeline"/> to choose packing). By default no.</summary>
    public virtual bool IsChannelCopy => false;

    /// <summary>The op's constant arrays (weights, biases, BatchNorm statistics, and those of the ops it fuses), for
    /// checks that read every constant of a graph (<see cref="Passes.FiniteConstants"/>). By default none.</summary>
    public virtual IEnumerable<OpConstant> Constants(TOp op) => [];

    /// <summary>Writes the op's ONNX (opset 13) nodes, computing what <see cref="Reference"/> computes.</summary>
    /// <exception cref="NotSupportedException">The op, or this case of it, has no ONNX mapping (the message says why).</exception>
    public virtual void Export(TOp op, OnnxGraphWriter w) =>
        throw new NotSupportedException($"ONNX export: {op} has no ONNX mapping: {NoExportReason}");

    /// <summary>Scratch elements per sample that the op's kernels pass between their own dispatches (the memory plan
    /// reserves them for the node's step, see <see cref="KernelContext.Scratch"/>). By default none.</summary>
    public virtual long ScratchElements(TOp op, KernelChoice choice, int activationBytes) => 0;

    /// <summary>Trainable parameters (weights and biases; BatchNorm's gamma and beta). By default none.</summary>
    public virtual long Params(TOp op) => 0;

    /// <summary>Multiply-adds per sample (convolutions and dense layers; the rest count as free). By default none.</summary>
    public virtual long MultiplyAdds(TOp op) => 0;

    /// <summary>Whether all of <paramref name="op"/>'s tensors share one layout (element-wise kernels run in either).</summary>
    protected static bool OneLayout(TOp op) => op.Inputs.Append(op.Output).Select(v => v.Layout).Distinct().Count() == 1;

    /// <summary>Whether <paramref name="activation"/> clamps its output at zero from below (ReLU, ReLU6).</summary>
    protected static bool EndsInRelu(Activation activation) => activation is Activation.Relu or Activation.Relu6;

    /// <summary>An op's weights and, where it has one, its bias, as <see cref="Constants"/> lists them.</summary>
    protected static IEnumerable<OpConstant> WeightsAndBias(float[] weights, float[]? bias) =>
        bias is null ? [new("weights", weights)] : [new("weights", weights), new("bias", bias)];

    /// <summary>The constants of <paramref name="part"/>, a fused op's part, each named after the part.</summary>
    protected static IEnumerable<OpConstant> PartConstants(Node part) =>
        OpRegistry.Constants(part).Select(k => k with { What = $"{part.Name} {k.What}" });

    /// <summary>Throws <see cref="InvalidGraphException"/> naming <paramref name="op"/> unless <paramref name="holds"/>.</summary>
    protected static void Require(TOp op, bool holds, string what)
    {
        if (!holds) throw new InvalidGraphException($"{op}: {what}");
    }

    TensorShape IOpProvider.OutputShape(Node op) => OutputShape((TOp)op);
    float[] IOpProvider.Reference(Node op, IReadOnlyDictionary<Value, float[]> values, int batch) => Reference((TOp)op, values, batch);
    IReadOnlyList<KernelDispatch> IOpProvider.Plan(Node op, KernelContext ctx, KernelChoice choice) => Plan((TOp)op, ctx, choice);
    bool IOpProvider.SupportsLayouts(Node op) => SupportsLayouts((TOp)op);
    Node? IOpProvider.WithPackedTensors(Node op, IChannelPacking packing) => WithPackedTensors((TOp)op, packing);
    bool IOpProvider.WritesIntoConcat(Node op) => WritesIntoConcat((TOp)op);
    IReadOnlyList<KernelDispatch> IOpProvider.PlanIntoConcat(Node op, KernelContext ctx, ConcatTarget target) => PlanIntoConcat((TOp)op, ctx, target);
    Value? IOpProvider.InPlaceInput(Node op) => InPlaceInput((TOp)op);
    bool IOpProvider.TakesActivation(Node op) => TakesActivation((TOp)op);
    Node IOpProvider.WithActivation(Node op, Activation activation, Value output) => WithActivation((TOp)op, activation, output);
    bool IOpProvider.NonNegative(Node op, Func<Value, bool> isNonNegative) => NonNegative((TOp)op, isNonNegative);
    IEnumerable<OpConstant> IOpProvider.Constants(Node op) => Constants((TOp)op);
    void IOpProvider.Export(Node op, OnnxGraphWriter w) => Export((TOp)op, w);
    long IOpProvider.ScratchElements(Node op, KernelChoice choice, int activationBytes) => ScratchElements((TOp)op, choice, activationBytes);
    long IOpProvider.Params(Node op) => Params((TOp)op);
    long IOpProvider.MultiplyAdds(Node op) => MultiplyAdds((TOp)op);
}
