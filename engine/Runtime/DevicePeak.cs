using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Runtime;

/// <summary>The device's fp32 arithmetic ceiling as our own kernels can reach it: shaders/fma_peak.comp, a loop
/// of independent vec4 FMAs with no memory traffic, timed with GPU timestamps. Per-layer figures in bench are
/// reported as a fraction of this, so "100%" means "as fast as this device does arithmetic through Vulkan",
/// not a vendor datasheet number.</summary>
public static class DevicePeak
{
    /// <summary>shaders/fma_peak.comp.</summary>
    public static readonly Kernels.KernelId<FmaPeakConstants> Id = new("fma_peak");

    /// <summary>Loop trips per lane by default: long enough that dispatch overhead is noise, short enough
    /// (about 0.1 s per run on lavapipe) to measure at the start of a benchmark.</summary>
    public const int DefaultIterations = 4096;

    private const int WorkgroupSize = 64;
    /// <summary>Invocations of one dispatch of the peak kernel.</summary>
    public const int Lanes = Workgroups * WorkgroupSize;
    /// <summary>Workgroups per dispatch: many more than CPU threads or GPU compute units, so every one is busy.</summary>
    private const int Workgroups = 256;
    /// <summary>FLOPs per lane per iteration: 8 vec4 FMAs, 2 FLOPs per component.</summary>
    private const int FlopsPerIteration = 8 * 4 * 2;

    /// <summary>Best achieved GFLOP/s (fp32 FMA) over <paramref name="runs"/> timed dispatches, after one untimed
    /// dispatch that absorbs the shader JIT.</summary>
    /// <exception cref="NotSupportedException">The device's compute queue has no timestamps.</exception>
    public static double MeasureGflops(VulkanDevice device, int iterations = DefaultIterations, int runs = 3)
    {
        var best = MeasureMilliseconds(device, iterations, runs);
        return Flops(iterations) / (best * 1e6);
    }

    /// <summary>FLOPs of one dispatch of the peak kernel.</summary>
    public static double Flops(int iterations) => (double)Workgroups * WorkgroupSize * iterations * FlopsPerIteration;

    /// <summary>The fastest GPU time, in milliseconds, of one dispatch of the peak kernel over <paramref name="runs"/> runs.</summary>
    /// <param name="laneResults">If given (one element per lane: <see cref="Lanes"/>), receives each lane's result, so a
    /// test can check the loop really ran <paramref name="iterations"/> times without timing anything.</param>
    public static double MeasureMilliseconds(VulkanDevice device, int iterations = DefaultIterations, int runs = 3, float[]? laneResults = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        if (!device.SupportsTimestamps)
            throw new NotSupportedException($"device '{device.Name}' has no timestamp queries on its compute queue; cannot time the peak kernel");

        int lanes = Lanes;
        if (laneResults is not null && laneResults.Length != lanes)
            throw new ArgumentException($"laneResults must have {lanes} elements, has {laneResults.Length}", nameof(laneResults));
        // Element 0 is the kernel's input (a zero bias); the outputs follow at a 64-byte aligned offset.
        const uint outOffset = 16;
        ulong window = device.UniformWindowBytes;
        using var activations = GpuBuffer.CreateDeviceLocal(device, (outOffset + (ulong)lanes) * 4);
        activations.Upload<float>(new float[outOffset]);
        // The shared descriptor layout needs a weights buffer and a uniform window over it; this kernel reads neither.
        using var weights = GpuBuffer.CreateDeviceLocal(device, window);
        using var bindings = new KernelBindings(device, activations, weights, window, activationBytes: 4);
        using var recorder = new CommandRecorder(device, maxDispatches: 1, profiling: true);
        var pipelines = device.Pipelines;
        recorder.Begin();
        recorder.Dispatch(pipelines.Get(Id.Shader, Kernels.SpecConstants.Pack(new FmaPeakConstants(WorkgroupSize, iterations))), pipelines.Layout, bindings.Set,
            [0, 0, outOffset, 0, 0, 0, 0, 0], ((uint)Workgroups, 1, 1),
            [new ByteRange(0, 4)], [new ByteRange(outOffset * 4, (ulong)lanes * 4)], Id.Shader);
        recorder.End();

        device.SubmitAndWait(recorder.Buffer);
        double best = double.PositiveInfinity;
        for (int i = 0; i < runs; i++)
        {
            device.SubmitAndWait(recorder.Buffer);
            best = Math.Min(best, recorder.ReadTimings()[0].Milliseconds);
        }
        if (laneResults is not null) activations.Download<float>(outOffset * 4, laneResults);
        return best;
    }
}

/// <summary>The specialisation constants of shaders/fma_peak.comp, in constant_id order.</summary>
public readonly record struct FmaPeakConstants(int LocalSize, int Iterations) : Kernels.ISpecConstants;
