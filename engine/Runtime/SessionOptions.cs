using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;

namespace GpuMobileNet.Runtime;

/// <summary>Per-session settings (a property bag, as in ONNX Runtime).
/// Thread-safety: immutable (init-only); one instance may configure any number of sessions.</summary>
public sealed record SessionOptions
{
    /// <summary>Samples per run. Everything shape-dependent is fixed at session creation.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Record a GPU timestamp after every dispatch; read them from the run's <see cref="RunResult.Layers"/>.</summary>
    public bool Profiling { get; init; }

    /// <summary>Run once at creation so the driver's shader JIT does not land on the first real run.</summary>
    public bool Warmup { get; init; } = true;

    /// <summary>Which graph rewrites run before planning (each can be switched off for comparison).
    /// BatchNorm left unfolded always becomes a 1x1 depthwise conv: the GPU has no BatchNorm kernel.</summary>
    internal PassOptions Passes { get; init; } = new();

    /// <summary>Reuse activation memory by liveness (best-fit arena, in place where the op allows); off gives
    /// every tensor its own region.</summary>
    public bool MemoryReuse { get; init; } = true;

    /// <summary>Activation storage and arithmetic precision; fp16 needs a device that supports it.</summary>
    public Precision Precision { get; init; } = Precision.Float32;

    /// <summary>Which kernel variants may run (all fast ones by default).</summary>
    internal KernelChoice Kernels { get; init; } = new();
}
