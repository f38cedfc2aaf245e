using GpuMobileNet.Graph;
using GpuMobileNet.Ops;

namespace GpuMobileNet.Planning;

/// <summary>Which input an op may overwrite with its output. Only ops whose kernels read each input element at
/// the same index as the output element they write, in the same invocation, qualify; <see cref="Liveness"/>
/// still checks that the input dies there and is not the graph input.</summary>
internal static class InPlacePolicy
{
    /// <summary>What the op's provider allows (<see cref="Ops.OpProvider{TOp}.InPlaceInput"/>): an activation its input,
    /// an add its first addend, a convolution its residual, a partial writer the tensor it writes into.</summary>
    public static Value? Default(Node node) => OpRegistry.TryFor(node)?.InPlaceInput(node);

    /// <summary>No op works in place.</summary>
    public static Value? None(Node node) => null;
}
