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

    TensorShape OutputShape(Node op);
    float[] Reference(Node op, IReadOnlyDictionary<Value, float[]> values, int batch);
    IReadOnlyList<KernelDispatch> Plan(Node op, KernelContext ctx, KernelChoice choice);
    bool SupportsLayouts(Node op);
    bool RunsPacked(Node op, Func<Value, bool> isPacked);
    bool WritesIntoConcat(Node op);
    KernelDispatch PlanIntoConcat(Node op, KernelContext ctx, ConcatTarget target);
    Value? InPlaceInput(Node op);
    bool TakesActivation(Node op);
    Node WithActivation(Node op, Activation activation, Value output);
    void Export(Node op, OnnxGraphWriter w);
    long Params(Node op);
    long MultiplyAdds(Node op);
}
