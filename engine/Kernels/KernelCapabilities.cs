using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>What the kernels can run, asked by the passes (channel packing, block fusion) before they rewrite a graph
/// and by the op providers (<see cref="OpRegistry"/>) when they check a node: the facts about which layouts the kernels
/// read and write, so a pass never makes a graph that no kernel runs. What each op type does with them is its provider's.</summary>
internal static class KernelCapabilities
{
    /// <summary>Whether the channel-packed (NC4HW4) kernels run this convolution: 1x1 and depthwise, channel counts a
    /// multiple of 4, not dilated (pointwise_conv_packed, depthwise_conv_packed); grouped 1x1 with channel counts that are
    /// multiples of 4, per group or (ragged) only in total (pointwise_conv_grouped_packed); 3x3 stride 1 with channel counts
    /// that are multiples of 4 (<see cref="WinogradConvKernel"/>); any other convolution whose groups hold whole
    /// channel quads (conv2d_packed: any kernel size, stride, dilation, padding).</summary>
    public static bool RunsPacked(Conv2dOp c) =>
        (c.IsPointwise || c.IsDepthwise) && !c.IsDilated && c.InC % 4 == 0 && c.OutC % 4 == 0 || PointwiseConvGroupedPackedKernel.Handles(c) ||
        WinogradConvKernel.Handles(c) || Conv2dPackedKernel.Runs(c) && Conv2dPackedKernel.ReadsPacked(c) && Conv2dPackedKernel.WritesPacked(c);

    /// <summary>Whether this 1x1 convolution runs on the packed 1x1 kernels (pointwise_conv_packed and its builds,
    /// pointwise_conv_shared): packed input and output, more than one pixel (a 1x1 of one pixel runs on dense). Only
    /// they read a residual narrower than the output or store channels-last, and the fused depthwise + 1x1 takes them.</summary>
    public static bool RunsOnPackedPointwise(Conv2dOp c) =>
        c.IsPointwise && c.Input.Layout == TensorLayout.Nc4hw4 && c.Output.Layout == TensorLayout.Nc4hw4 && !RunsOnDense(c);

    /// <summary>Whether a grouped 1x1 convolution that reads its input through a channel shuffle runs packed
    /// (pointwise_conv_grouped_packed with SHUFFLE: the shuffle's quads are gathered channel by channel).</summary>
    public static bool RunsPacked(ShuffledReadConvOp s) => PointwiseConvGroupedPackedKernel.Handles(s.Conv) && s.Input.Shape.C % s.ShuffleGroups == 0;

    /// <summary>Whether a full convolution can read NCHW and write its output NC4HW4 (conv2d_tiled's OUT_PACKED): groups 1,
    /// output channels a multiple of 4, no residual.</summary>
    public static bool WritesPackedFromPlanar(Conv2dOp c) =>
        !c.IsPointwise && !c.IsDepthwise && c.Groups == 1 && c.OutC % 4 == 0 && c.Residual is null &&
        // Only the tiled kernel writes packed, and only when a tile's filters fit a uniform window; the pass does not
        // know the device's window, so its largest size (64 KiB) decides (stems fit; SSD's 3x3x256 extra layers do not).
        Conv2dTiledKernel.OutputChannelTile * (long)c.InC * c.KernelH * c.KernelW <= MaxUniformWindowElements;

    /// <summary>The largest uniform window a dispatch binds, in floats.</summary>
    private const int MaxUniformWindowElements = (int)(Vulkan.VulkanDevice.MaxUniformWindowBytes / 4);

    /// <summary>Whether average pooling reads an NC4HW4 input (avg_pool's IN_PACKED; its output stays NCHW, or is NC4HW4
    /// where both are the same bytes, see <see cref="SameInBothLayouts"/>).</summary>
    public static bool PoolReadsPacked(AvgPoolOp p) => p.Input.Shape.C % 4 == 0;

    /// <summary>Whether a tensor's bytes are the same in NCHW and NC4HW4: C x 1 x 1 with C a multiple of 4 (channel c
    /// is element c in both), as a global pool's output. Such a value needs no layout conversion.</summary>
    public static bool SameInBothLayouts(Value v) => v.Shape.H == 1 && v.Shape.W == 1 && v.Shape.C % 4 == 0;

    /// <summary>Whether average pooling of a packed input writes its output NC4HW4 too (avg_pool's OUT_PACKED) whatever
    /// reads it: where the output has more than one pixel. A global pool's C x 1 x 1 output has one memory order in both
    /// layouts (<see cref="SameInBothLayouts"/>); PackChannels labels it packed only for packed readers.</summary>
    public static bool PoolWritesPacked(AvgPoolOp p) => PoolReadsPacked(p) && p.Output.Shape.H * p.Output.Shape.W > 1;

    /// <summary>Whether max pooling runs on NC4HW4 tensors (max_pool's PACKED: input and output packed).</summary>
    public static bool MaxPoolRunsPacked(MaxPoolOp p) => p.Input.Shape.C % 4 == 0;

    /// <summary>Whether LRN runs on NC4HW4 tensors (lrn's PACKED: input and output packed).</summary>
    public static bool LrnRunsPacked(LrnOp l) => l.Input.Shape.C % 4 == 0;

    /// <summary>Whether concat.comp joins these parts in NC4HW4: parts of whole channel quads, blocks of zeros included
    /// (BlazeFace's channel padding), are contiguous there as in NCHW.</summary>
    public static bool ConcatRunsPacked(ConcatOp c) => c.Channels.All(ch => ch % 4 == 0);

    /// <summary>Whether <paramref name="part"/>'s kernel can write its output straight into a channel range of a wider
    /// tensor of the same layout (<see cref="ConcatPartWriteKernel"/>: an output offset and the wider tensor's batch
    /// stride), as its provider's <see cref="OpProvider{TOp}.WritesIntoConcat"/> says. NC4HW4: average pooling with
    /// OUT_PACKED, 1x1 convolutions on the packed kernels (grouped, read through a shuffle or not, or plain), Winograd
    /// and conv2d_packed. NCHW:
    /// average pooling and grouped 1x1 convolutions (pointwise_conv_grouped, read through a shuffle or not). No residual.</summary>
    public static bool WritesIntoConcat(Node part) => OpRegistry.TryFor(part)?.WritesIntoConcat(part) == true;

    /// <summary>Whether a 1x1 convolution of one pixel runs as a matrix-vector product on the dense kernel, in either
    /// layout (see <see cref="DenseKernel.RunsPointwise"/>).</summary>
    public static bool RunsOnDense(Conv2dOp c) => DenseKernel.RunsPointwise(c);

    /// <summary>Whether squeeze_excite.comp runs a whole gate of <paramref name="channels"/> pooled channels squeezed to
    /// <paramref name="squeezed"/> (see <see cref="SqueezeExciteKernel.Fits"/>).</summary>
    public static bool CanFuseSqueezeExcite(int channels, int squeezed) => SqueezeExciteKernel.Fits(channels, squeezed);

    /// <summary>Whether the fused block kernel runs expand → depthwise → project as one dispatch (see <see cref="FusedBlockKernel.Fits"/>).</summary>
    public static bool CanFuseBlock(Conv2dOp? expand, Conv2dOp depthwise, Conv2dOp project, int windowElements) =>
        FusedBlockKernel.Fits(expand, depthwise, project, windowElements);

    /// <summary>Whether some kernel runs <paramref name="node"/> with its tensors in their current layouts (its provider's
    /// <see cref="OpProvider{TOp}.SupportsLayouts"/>). Every kernel but the packed ones and the layout conversion reads
    /// and writes NCHW; element-wise ones work in either layout as long as all their tensors share it.</summary>
    public static bool SupportsLayouts(Node node) => OpRegistry.TryFor(node)?.SupportsLayouts(node) == true;
}
