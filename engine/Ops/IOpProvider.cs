using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Everything the engine needs of one op type, untyped, as <see cref="OpRegistry"/> hands it out: callers pass
/// any node of <see cref="OpType"/>. Implemented by <see cref="OpProvider{TOp}"/>, whose typed members say what each does.</summary>
internal interface IOpProvider
{
    /// <summary>The graph op (a concrete <see cref="Node"/> record) this provider runs.</summary>
    Type OpType { get; }

    /// <summary>Every kernel the provider may plan (one or several dispatches of them per op).</summary>
    IReadOnlyList<KernelId> Kernels { get; }

    /// <summary>Why the op needs no GPU kernel, where <see cref="Kernels"/> is empty; null otherwise.</summary>
    string? NoKernelReason { get; }

    /// <summary>Why the op has no ONNX export; null where it has one.</summary>
    string? NoExportReason { get; }

    /// <summary>The shape rule: the output shape the op's inputs and attributes give.</summary>
    TensorShape OutputShape(Node op);

    /// <summary>The CPU reference output of the op from the values computed so far.</summary>
    float[] Reference(Node op, IReadOnlyDictionary<Value, float[]> values, int batch);

    /// <summary>The dispatches that run the op: its kernel choice.</summary>
    IReadOnlyList<KernelDispatch> Plan(Node op, KernelContext ctx, KernelChoice choice);

    /// <summary>Whether some kernel of the op runs it with its tensors in their current layouts.</summary>
    bool SupportsLayouts(Node op);

    /// <summary>The op rewritten to run on NC4HW4 tensors, or null where it stays planar.</summary>
    Node? WithPackedTensors(Node op, IChannelPacking packing);

    /// <summary>Whether the op's kernel can write into a channel range of a wider tensor.</summary>
    bool WritesIntoConcat(Node op);

    /// <summary>The dispatches that compute the op into its channels of a joined buffer.</summary>
    IReadOnlyList<KernelDispatch> PlanIntoConcat(Node op, KernelContext ctx, ConcatTarget target);

    /// <summary>The input the op may overwrite with its output, or null.</summary>
    Value? InPlaceInput(Node op);

    /// <summary>Whether an activation after the op can be fused into it.</summary>
    bool TakesActivation(Node op);

    /// <summary>The op with an activation fused in, writing <paramref name="output"/>.</summary>
    Node WithActivation(Node op, Activation activation, Value output);

    /// <summary>Whether every element of the op's output is >= 0, given which values are.</summary>
    bool NonNegative(Node op, Func<Value, bool> isNonNegative);

    /// <summary>Whether the op only moves channels (a split, concatenation or shuffle).</summary>
    bool IsChannelCopy { get; }

    /// <summary>The op's constant arrays, each with what it is.</summary>
    IEnumerable<OpConstant> Constants(Node op);

    /// <summary>Writes the op's ONNX nodes.</summary>
    void Export(Node op, OnnxGraphWriter w);

    /// <summary>Trainable parameters of the op.</summary>
    long Params(Node op);

    /// <summary>Multiply-adds per sample of the op.</summary>
    long MultiplyAdds(Node op);

    /// <summary>Scratch elements per sample the op's kernels need between their own dispatches (Winograd's tiles).</summary>
    long ScratchElements(Node op, KernelChoice choice, int activationBytes);
}
