using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Runs the graph rewrites in an order where each enables the next: pads fold into convs first,
/// then BatchNorm folds into the conv before it (leftovers become 1x1 depthwise convs), then activations
/// fuse into their producers, residual adds fuse into the conv on one side (taking the Add's activation), and
/// then expand→depthwise→project and depthwise→pointwise chains become fused blocks, and last (when asked) the
/// tensors between pointwise and depthwise convolutions become channel-packed.</summary>
internal static class PassPipeline
{
    public static ModelGraph Apply(ModelGraph g, PassOptions o)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(o);
        // Options still on "auto" run as on a GPU (blocks fused, NCHW); a session resolves them for its device first.
        o = o.ResolveFor(cpuDevice: false);
        var g1 = ApplyResolved(g, o);
        if (!o.PackWhereViewsFold || o.PackChannels == true) return g1;
        // On a GPU's "auto": a dense-convolution graph (ResNet, VGG, YOLO) has no blocks to fuse, and its packed kernels
        // (Winograd, the shared-memory GEMMs) stand in for NCHW's conv2d_tiled; splits, concatenations and shuffles that
        // stay copies in NCHW fold into views when packed.
        bool dense = IsDenseConvolutionGraph(g1);
        if (!dense && !HasChannelCopies(g1)) return g1;
        var packed = ApplyResolved(g, o with { PackChannels = true, FuseDepthwisePointwise = false, FuseInvertedResidual = false });
        return dense || !HasChannelCopies(packed) ? packed : g1;
    }

    /// <summary>Whether <paramref name="g"/> (in a GPU's fused form) has no fused blocks and some full convolution past
    /// the stem: a ResNet, VGG or YOLO, not a MobileNet (fused blocks) nor a ShuffleNet (1x1, grouped or not, and
    /// depthwise only past its stem).</summary>
    internal static bool IsDenseConvolutionGraph(ModelGraph g) =>
        !g.Nodes.OfType<FusedBlockOp>().Any() &&
        g.Nodes.OfType<Conv2dOp>().Any(c => IsFullConvolutionPastStem(c, g));

    /// <summary>A convolution of more than one tap, not depthwise, that does not read the graph's input.</summary>
    internal static bool IsFullConvolutionPastStem(Conv2dOp c, ModelGraph g) => c.KernelH * c.KernelW > 1 && !c.IsDepthwise && !g.Inputs.Contains(c.Input);

    /// <summary>Whether some node of <paramref name="g"/> only moves channels (a split, concatenation or shuffle: its
    /// provider's <see cref="IOpProvider.IsChannelCopy"/>), which runs as a copy dispatch.</summary>
    internal static bool HasChannelCopies(ModelGraph g) => g.Nodes.Any(n => OpRegistry.TryFor(n)?.IsChannelCopy == true);

    private static ModelGraph ApplyResolved(ModelGraph g, PassOptions o)
    {
        if (o.FoldPad) g = FoldPad.Apply(g);
        // A softmax between a transpose and its inverse (a detection head's per-pixel class softmax) runs in place.
        g = FoldTransposedSoftmax.Apply(g);
        // x * sigmoid(x) and its kin become one activation first, so that it too fuses into x's producer; before the
        // BatchNorm folds, as it reads PaddleOCR's element-wise hard-swish as affine BatchNorms around a product.
        if (o.FuseActivation) g = FuseSwish.Apply(g);
        if (o.FoldBatchNorm) g = FoldBatchNorm.Apply(g);
        g = BatchNormToDepthwise.Apply(g);
        // An NHWC input's scalar normalisation after its transpose, so the transpose can write the packed stem's input.
        g = MoveScalarAffineAfterTranspose.Apply(g);
        FiniteConstants.Check(g);
        if (o.FuseActivation) g = FuseActivation.Apply(g);
        if (o.FuseResidualAdd) g = FuseResidualAdd.Apply(g);
        // Layers whose weights one weight buffer cannot bind (VGG-16's fc6) become layers over blocks of units.
        g = SplitLargeWeights.Apply(g, o.MaxWeightElements);
        // ShuffleNetV2's splits, concatenations and shuffles become channel maps in its 1x1 convolutions (packed kernels only).
        if (o.PackChannels == true && o.FoldChannelViews) g = FoldChannelViews.Apply(g);
        // ShuffleNetV1's shuffles become an index map in the grouped conv's read (after the residual is fused into it).
        g = FoldChannelShuffle.Apply(g);
        // Their groups of other widths padded to whole quads, so the packed grouped kernel runs them.
        if (o.PackChannels == true) g = PadShuffledGroups.Apply(g);
        // And plain 1x1 → depthwise → 1x1 chains of other widths (ShuffleNetV1 g = 1 at width 0.5: 18 channels) likewise.
        if (o.PackChannels == true) g = QuadPadding.Apply(g);
        if (o.FuseActivation) g = FoldReluIntoConcat.Apply(g);
        // Whole blocks last: they swallow convs that already carry their BN, activation and residual.
        if (o.FuseInvertedResidual == true) g = FuseInvertedResidual.Apply(g, o.FusionWindowElements);
        if (o.FuseDepthwisePointwise == true) g = FuseDepthwisePointwise.Apply(g, o.FusionWindowElements);
        // Layout last: it only changes how the remaining ops store their tensors.
        if (o.PackChannels == true) g = PackChannels.Apply(g);
        if (o.PackChannels == true && (o.FuseSqueezeExcite || o.FuseExcitation)) g = FuseSqueezeExcite.Apply(g, withPool: o.FuseSqueezeExcite);
        if (o.PackChannels == true && o.FuseChannelGate) g = FuseChannelGate.Apply(g);
        // BlazeFace's zero-padded shortcuts: the packed 1x1 reads the shortcut unpadded as its residual.
        if (o.PackChannels == true && o.FoldResidualChannelPad) g = FoldResidualChannelPad.Apply(g);
        // TF heads exported to ONNX: a transpose to channels-last after a packed 1x1 becomes that 1x1's store.
        if (o.PackChannels == true && o.FoldChannelsLastStore) g = FoldChannelsLastStore.Apply(g);
        // Concatenations left (ShuffleNetV1's stride-2 units) become their parts' kernels writing one buffer, in either layout.
        if (o.FoldChannelViews) g = FoldConcatWriters.Apply(g);
        // Plain packed depthwise → 1x1 pairs left become one dispatch where that pays.
        if (o.PackChannels == true && o.FusePackedDepthwisePointwise == true) g = FusePackedDepthwisePointwise.Apply(g);
        return g;
    }
}
