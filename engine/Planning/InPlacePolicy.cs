using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Planning;

/// <summary>Which input an op may overwrite with its output. Only ops whose kernels read each input element at
/// the same index as the output element they write, in the same invocation, qualify; <see cref="Liveness"/>
/// still checks that the input dies there and is not the graph input.</summary>
internal static class InPlacePolicy
{
    /// <summary>Activation → its input; Add → A (Keras builds residual adds as Add(shortcut, branch) and both die
    /// there, so A is as good as B for the built-in models); Conv2d with a residual → the residual, unless it is
    /// also the conv's data input (that one is read at neighbouring pixels and across channels). Others: none.</summary>
    public static Value? Default(Node node) => node switch
    {
        ActivationOp a => a.Input,
        AddOp add => add.A,
        Conv2dOp { Residual: { } r } c when r != c.Input => r,
        // Not a choice: it writes some channels of Into and leaves the rest, so it must be Into's memory.
        MappedConvOp { Into: { } into } => into,
        ConcatPartWriteOp { Into: { } into } => into,
        _ => null,
    };

    /// <summary>No op works in place.</summary>
    public static Value? None(Node node) => null;
}
