using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>Modelled time of a channel-packed 3x3 stride-1 convolution on lavapipe by each algorithm, in the terms of
/// <see cref="PackedPointwiseTiling"/>'s model (texel fetches, multiply-adds, per subgroup of 8 lanes, 2 threads): the
/// batched GEMM is Alpha² packed 1x1 layers over the tiles; the transforms cost their fetches, stores and adds; a
/// direct convolution is the packed 1x1 kernel's tiling with InC x 9 as the reduction (conv2d_packed's implicit GEMM).</summary>
internal static class WinogradCost
{
    // Per subgroup: a texel fetch ~7.5 ns (PackedPointwiseTiling), a vec4 store and a vec4 add of the transforms.
    private const double FetchNs = 7.5, StoreNs = 7.5, AddNs = 1.06;

    /// <summary>The cheapest algorithm for <paramref name="c"/>: F(2x2, 3x3) or F(4x4, 3x3), and
    /// <see cref="Conv3x3Algorithm.Direct"/> where <paramref name="directRunsPacked"/>. F(4x4, 3x3) only with fp32
    /// activations: its transformed tiles are up to ~100x the input (B^T's 4s and 5s, twice), which fp16 storage holds
    /// to about 3 digits and overflows past 65504.</summary>
    public static Conv3x3Algorithm Cheapest(Conv2dOp c, int activationBytes, bool directRunsPacked)
    {
        var candidates = new List<Conv3x3Algorithm> { Conv3x3Algorithm.WinogradF2 };
        if (activationBytes == 4) candidates.Add(Conv3x3Algorithm.WinogradF4);
        if (directRunsPacked) candidates.Add(Conv3x3Algorithm.Direct);
        return candidates.MinBy(a => Nanoseconds(c, a));
    }

    /// <summary>Modelled nanoseconds of one sample of <paramref name="c"/> by <paramref name="algorithm"/>.</summary>
    public static double Nanoseconds(Conv2dOp c, Conv3x3Algorithm algorithm)
    {
        var o = c.Output.Shape;
        int hw = o.H * o.W;
        if (algorithm == Conv3x3Algorithm.Direct)
        {
            var direct = PackedPointwiseTiling.For(c.InC * 9, c.OutC, 1, c.Activation, hw);
            return PackedPointwiseTiling.Cost(direct, c.InC * 9, c.OutC, 1, hw);
        }
        var t = new WinogradTransform(algorithm == Conv3x3Algorithm.WinogradF2 ? 2 : 4);
        var (th, tw) = t.TilesFor(o.H, o.W, c.DilationH, c.DilationW);
        int tiles = th * tw, a = t.Alpha, p = t.Positions;
        var tiling = PackedPointwiseTiling.For(c.InC, c.OutC, 1, Activation.None, tiles);
        double gemm = p * PackedPointwiseTiling.Cost(tiling, c.InC, c.OutC, 1, tiles);
        // Adds: two passes of Alpha (input) or fewer (output) rows, each about Alpha / 2 non-zero coefficients.
        double input = Subgroups(tiles, c.InC) * (p * (FetchNs + StoreNs) + 2 * p * a / 2 * AddNs);
        double output = Subgroups(tiles, c.OutC) * (p * FetchNs + t.Tile * t.Tile * StoreNs + (t.Tile * a + t.Tile * t.Tile) * a / 2 * AddNs);
        return gemm + (input + output) / 2;
    }

    private static double Subgroups(int tiles, int channels) => (tiles + 7) / 8 * (double)(channels / 4);
}
