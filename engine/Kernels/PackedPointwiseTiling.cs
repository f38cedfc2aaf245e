using GpuMobileNet.Graph;

namespace GpuMobileNet.Kernels;

/// <summary>How a channel-packed 1x1 layer (shaders/pointwise_conv_packed.comp, pointwise_conv_grouped_packed.comp) is
/// cut into invocations: <see cref="OcTile"/> output channels x <see cref="Px"/> pixels per invocation,
/// <see cref="LocalSize"/> invocations per workgroup (invocation i of a workgroup takes pixels i, i + L, ...,
/// i + (Px - 1) L). Chosen per layer by a cost model of lavapipe, so that small feature maps do not leave a quarter of
/// their pixel slots empty: 8 pixels x 32 invocations cover 256 pixels for 14x14's 196, 8 x 8 cover 64 for 7x7's 49.</summary>
internal readonly record struct PackedPointwiseTiling(int OcTile, int Px, int LocalSize)
{
    /// <summary>Pixels one workgroup covers.</summary>
    public int PixelsPerGroup => Px * LocalSize;

    /// <summary>Workgroups along x for <paramref name="hw"/> pixels.</summary>
    public uint GroupsX(int hw) => KernelContext.Groups(hw, PixelsPerGroup);

    // The model (docs/measurements.md, "Measured on lavapipe", AMD EPYC): per step of 4 input channels a subgroup of 8 lanes
    // makes OcTile weight fetches and Px input fetches, ~7.5 ns each whether or not the lanes share the address, and
    // 4 OcTile Px multiply-adds per lane, ~1.06 ns per output channel and pixel; a subgroup whose lanes all lie past the
    // last pixel returns at once; lavapipe's 2 threads take workgroups in order. Per workgroup a small fixed cost.
    private const double FetchNs = 7.5, MacNs = 1.06, WorkgroupNs = 1000;

    /// <summary>The most sums (output channels x pixels) per invocation NIR still unrolls (see
    /// <see cref="PointwiseConvPackedKernel.OutputChannelTile"/>).</summary>
    public const int MaxSums = 128;

    /// <summary>The cheapest tiling by the model for a layer of <paramref name="outC"/> output channels per group in
    /// <paramref name="groups"/> groups over <paramref name="hw"/> pixels, reducing over <paramref name="inC"/> input
    /// channels, where each pixel's input quad costs <paramref name="inputFetches"/> texel fetches (4 when read through
    /// a channel shuffle). Output tiles 16, 12 or 8 (not 16 under an activation beyond ReLU6: see
    /// <see cref="PointwiseConvPackedKernel.TileFor"/>), 4 to 8 pixels, workgroups of 8 to 64 invocations; a tie keeps
    /// <see cref="Fixed"/>. With <paramref name="widePixels"/> (the packed 1x1 kernels) and a short activation, up to
    /// <see cref="MaxSums"/> / tile pixels: 10 with 12 channels, 16 with 8, each weight fetch feeding more pixels.
    /// Measured on lavapipe (one llvmpipe thread, loaded machine, interleaved in one process, sum of per-layer minima of
    /// the 1x1 layers): FastestDet 8.81 -> 8.40 ms, ShuffleNetV1 15.2 -> 14.4, ShuffleNetV2 13.1 -> 12.4, MobileNetV2
    /// 26.8 -> 26.1, yolo-fastest-1.1 13.0 -> 12.5, yolo-fastestv2 8.12 -> 7.88, MobileNetV3 21.9 -> 21.5. Long
    /// activations stay at 8: their code in the store loop took wider tiles past what NIR unrolls (MobileNetV3-Large's
    /// h-swish layers 3x slower with 10).</summary>
    /// <param name="maxSums">At most this many sums per invocation (0: no cap beyond the tiles'): for the narrow-residual and
    /// channels-last builds of pointwise_conv_packed, whose store code takes a 16 x 8 tile past what NIR unrolls
    /// (BlazeFace's 1x1s at 1.5-2 GFLOP/s; its 32-channel head stored channels-last 7x slower at 16 x 6).</param>
    public static PackedPointwiseTiling For(int inC, int outC, int groups, Activation activation, int hw, int inputFetches = 1,
        bool widePixels = false, int maxSums = 0)
    {
        bool longActivation = !PointwiseConvPackedKernel.HasShortCode(activation);
        int[] tiles = longActivation ? [12, 8] : [PointwiseConvPackedKernel.OutputChannelTile, 12, 8];
        var best = Fixed(outC, activation, hw, maxSums);
        double bestCost = Cost(best, inC, outC, groups, hw, inputFetches);
        foreach (int oc in tiles)
            for (int px = 4; px <= (widePixels && !longActivation ? MaxSums / oc : PointwiseConvPackedKernel.PixelsPerInvocation); px++)
                for (int local = 8; local <= KernelContext.WorkgroupSize; local += 8)
                {
                    if (maxSums > 0 && oc * px > maxSums) continue;
                    var t = new PackedPointwiseTiling(oc, px, local);
                    double c = Cost(t, inC, outC, groups, hw, inputFetches);
                    if (c < bestCost * 0.999) (best, bestCost) = (t, c);
                }
        return best;
    }

    /// <summary>The tiling before the model: <see cref="PointwiseConvPackedKernel.TileFor"/>'s channel tile, 8 pixels,
    /// workgroups of up to 64.</summary>
    public static PackedPointwiseTiling Fixed(int outC, Activation activation, int hw, int maxSums = 0)
    {
        int tile = PointwiseConvPackedKernel.TileFor(outC, activation, maxSums > 0);
        int px = maxSums > 0 ? Math.Min(PointwiseConvPackedKernel.PixelsPerInvocation, maxSums / tile) : PointwiseConvPackedKernel.PixelsPerInvocation;
        return new(tile, px, KernelContext.LocalSizeFor((hw + px - 1) / px));
    }

    /// <summary>Modelled time (ns) of a layer with tiling <paramref name="t"/> on lavapipe's 2 threads.</summary>
    internal static double Cost(PackedPointwiseTiling t, int inC, int outC, int groups, int hw, int inputFetches = 1)
    {
        int blocks = (outC + t.OcTile - 1) / t.OcTile * groups;
        double step = FetchNs * (t.OcTile + inputFetches * t.Px) + MacNs * t.OcTile * t.Px;
        int steps = (inC + 3) / 4;
        int groupsX = (int)t.GroupsX(hw);
        double Workgroup(int g) => WorkgroupNs + (Math.Min(t.LocalSize, hw - g * t.PixelsPerGroup) + 7) / 8 * steps * step;
        if ((long)blocks * groupsX > 4096) // big layers: balance is no issue, and planning stays fast
            return (blocks * ((groupsX - 1) * Workgroup(0) + Workgroup(groupsX - 1)) + Workgroup(0)) / 2;
        var threads = new double[2];
        for (int b = 0; b < blocks; b++)
            for (int g = 0; g < groupsX; g++)
            {
                int i = threads[0] <= threads[1] ? 0 : 1;
                threads[i] += Workgroup(g);
            }
        return Math.Max(threads[0], threads[1]);
    }
}
