namespace GpuMobileNet.Passes;

/// <summary>Which optional graph rewrites <see cref="PassPipeline"/> runs. BatchNorm-to-depthwise always runs:
/// the GPU has no BatchNorm kernel.</summary>
internal sealed record PassOptions(
    bool FoldBatchNorm = true,
    bool FuseActivation = true,
    bool FoldPad = true,
    bool FuseResidualAdd = true,
    bool? FuseDepthwisePointwise = null,
    bool? FuseInvertedResidual = null)
{
    // The block fusions and channel packing are null ("auto") by default and decided by ResolveFor: PassPipeline
    // alone resolves them as for a GPU, InferenceSession for its device, because whether keeping the intermediates
    // on chip pays depends on the device (on lavapipe, where the unfused kernels read weights as cheap uniforms,
    // the fused kernel measured slower).

    /// <summary>Every optional pass off: the graph as imported (BatchNorm still becomes a depthwise conv).</summary>
    public static PassOptions None { get; } = new(false, false, false, false, false, false)
    {
        PackChannels = false, FuseChannelGate = false, FuseSqueezeExcite = false, FuseExcitation = false, FoldChannelViews = false,
        FusePackedDepthwisePointwise = false, FoldResidualChannelPad = false, FoldChannelsLastStore = false,
    };

    /// <summary>Store activations channel-packed (NC4HW4) between pointwise / depthwise convolutions (see
    /// <see cref="Passes.PackChannels"/>). Null ("auto"): packed wherever block fusion is off (InferenceSession also
    /// wants the default kernel choice). Fused blocks read and write NCHW, so with them packing would only add
    /// conversions around each block; without them, packed measured faster on lavapipe (MobileNetV2-1.0-224: 51 ms
    /// against 61 ms planar).</summary>
    public bool? PackChannels { get; init; }

    /// <summary>Fold squeeze-and-excite products into the channel-packed pointwise convolution after them, which then
    /// scales its input as it reads it (see <see cref="Passes.FuseChannelGate"/>); only where channels are packed.</summary>
    public bool FuseChannelGate { get; init; } = true;

    /// <summary>Run each squeeze-and-excite gate (global pool, two 1x1 convolutions of one pixel) as one dispatch, one
    /// workgroup per sample (see <see cref="Passes.FuseSqueezeExcite"/>); only where channels are packed. Off by default:
    /// on lavapipe one workgroup runs on one core, and on an idle 2-core machine MobileNetV3-Large ran 23.4 ms fused
    /// against 21.2 ms as a pool and two dense dispatches that use both cores (it won only when other work held a core).</summary>
    public bool FuseSqueezeExcite { get; init; }

    /// <summary>Run a squeeze-and-excite gate's two 1x1 convolutions of one pixel (squeeze + activation, excite +
    /// activation) as one dispatch after its global pool, where each has at most
    /// <see cref="Passes.FuseSqueezeExcite.MaxExcitationMultiplyAdds"/> multiply-adds; the pool stays its own parallel
    /// dispatch. Only where channels are packed; <see cref="FuseSqueezeExcite"/> takes the pool in too. Off by default:
    /// on lavapipe (loaded machine, profiles interleaved) EfficientNet-B0's 16 gates took 2.6-3.2 ms as squeeze_excite
    /// dispatches against 1.5-2.3 ms as 32 dense ones: one workgroup and its barriers cost more than a dispatch saves.</summary>
    public bool FuseExcitation { get; init; }
    /// <summary>Run a packed depthwise convolution and the packed 1x1 that alone reads it as one dispatch where the kernel's
    /// rule says it pays (see <see cref="Passes.FusePackedDepthwisePointwise"/>); only where channels are packed. Null
    /// ("auto"): on for CPU devices (measured on lavapipe), off for GPUs (unmeasured there).</summary>
    public bool? FusePackedDepthwisePointwise { get; init; }

    /// <summary>Fold channel splits, concatenations and shuffles into the 1x1 convolutions around them (see
    /// <see cref="Passes.FoldChannelViews"/>; only where channels are packed), and the concatenations left into their parts'
    /// kernels writing one buffer (see <see cref="Passes.FoldConcatWriters"/>; packed or not).</summary>
    public bool FoldChannelViews { get; init; } = true;

    /// <summary>Read a shortcut padded with zero channels (BlazeFace) unpadded as a packed 1x1's residual, dropping the
    /// padding's copy (see <see cref="Passes.FoldResidualChannelPad"/>; only where channels are packed).</summary>
    public bool FoldResidualChannelPad { get; init; } = true;

    /// <summary>Store a packed 1x1's output channels-last where a Transpose to [H, W, C] reads it (TF heads exported to
    /// ONNX), dropping the transpose (see <see cref="Passes.FoldChannelsLastStore"/>; only where channels are packed).</summary>
    public bool FoldChannelsLastStore { get; init; } = true;

    /// <summary>Set by <see cref="ResolveFor"/> where a GPU's "auto" left channels planar with fused blocks: a graph
    /// whose splits, concatenations or shuffles are copies in that form but all fold into channel views when packed
    /// runs packed instead (<see cref="PassPipeline"/> decides per graph). The views need whole channel quads, and a
    /// copy dispatch per split and concatenation costs more than the fused blocks save on a network that has few.
    /// So does a dense-convolution graph (<see cref="PassPipeline.IsDenseConvolutionGraph"/>: ResNet, VGG, YOLO): it has
    /// no blocks to fuse, and packed it runs on Winograd and the shared-memory GEMMs.</summary>
    internal bool PackWhereViewsFold { get; init; }

    /// <summary>Floats a fused block's weight set may take (one uniform window, 64 KiB by default): blocks with
    /// more stay unfused. The session sets it from the device's limit.</summary>
    public int FusionWindowElements { get; init; } = 16384;

    /// <summary>Floats one weight buffer of the device may bind (maxStorageBufferRange, one allocation): layers whose
    /// weights exceed a share of it are split (<see cref="SplitLargeWeights"/>). The session sets it from the device.</summary>
    public long MaxWeightElements { get; init; } = long.MaxValue;

    /// <summary>These options with every "auto" decided as a session decides it: block fusion on for GPUs and off
    /// for CPU implementations (measured slower on lavapipe); channel packing wherever no block is fused and the
    /// kernel choice is the default one (the packed kernels stand in for the fast planar ones, while a non-default
    /// choice asks for planar kernels).</summary>
    public PassOptions ResolveFor(bool cpuDevice, bool defaultKernels = true)
    {
        bool fuseDwPw = FuseDepthwisePointwise ?? !cpuDevice;
        bool fuseBlocks = FuseInvertedResidual ?? !cpuDevice;
        return this with
        {
            FuseDepthwisePointwise = fuseDwPw,
            FuseInvertedResidual = fuseBlocks,
            FusePackedDepthwisePointwise = FusePackedDepthwisePointwise ?? cpuDevice,
            PackChannels = PackChannels ?? (!fuseDwPw && !fuseBlocks && defaultKernels),
            PackWhereViewsFold = PackWhereViewsFold || (!cpuDevice && defaultKernels && FoldChannelViews
                && PackChannels is null && FuseDepthwisePointwise is null && FuseInvertedResidual is null),
        };
    }
}
