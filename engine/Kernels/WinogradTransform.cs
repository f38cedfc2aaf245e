namespace GpuMobileNet.Kernels;

/// <summary>The geometry and the host-side filter transform of Winograd F(m x m, 3 x 3) (Lavin and Gray 2015) for
/// m = <see cref="Tile"/> 2 or 4: output tiles of m x m pixels, input tiles of <see cref="Alpha"/> = m + 2, and
/// <see cref="Positions"/> = Alpha² independent products per tile. The input and output transforms (B^T, A^T) run on
/// the device (shaders/include/winograd.glsl); the filter transform G g G^T runs here, once, when a session is created.</summary>
internal readonly record struct WinogradTransform(int Tile)
{
    /// <summary>Input tile side.</summary>
    public int Alpha => Tile + 2;

    /// <summary>Products per tile (one GEMM each).</summary>
    public int Positions => Alpha * Alpha;

    /// <summary>Tiles covering an output plane of <paramref name="outH"/> x <paramref name="outW"/> pixels (the last row
    /// and column of tiles may overhang it). With dilation d along an axis a tile's pixels lie d apart, so every block of
    /// Tile x d pixels holds d interleaved tiles (shaders/include/winograd.glsl, tileOrigin).</summary>
    public (int H, int W) TilesFor(int outH, int outW, int dilationH = 1, int dilationW = 1) =>
        (TilesAlong(outH, dilationH), TilesAlong(outW, dilationW));

    private int TilesAlong(int pixels, int dilation) => (pixels + Tile * dilation - 1) / (Tile * dilation) * dilation;

    // G (Alpha x 3) of F(2, 3) and F(4, 3).
    private static readonly double[,] G2 = { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, -0.5, 0.5 }, { 0, 0, 1 } };
    private static readonly double[,] G4 =
    {
        { 1.0 / 4, 0, 0 }, { -1.0 / 6, -1.0 / 6, -1.0 / 6 }, { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
        { 1.0 / 24, 1.0 / 12, 1.0 / 6 }, { 1.0 / 24, -1.0 / 12, 1.0 / 6 }, { 0, 0, 1 },
    };

    /// <summary>OIHW 3 x 3 filters ([outC][inC][3][3]) transformed to G g G^T and laid out as one [outC][inC] matrix per
    /// position: element (p, co, ci) at (p x outC + co) x inC + ci. Computed in double, rounded once.</summary>
    public float[][] TransformFilters(float[] weights, int inC, int outC)
    {
        var g = Tile == 2 ? G2 : G4;
        int a = Alpha;
        var sets = new float[Positions][];
        for (int p = 0; p < Positions; p++) sets[p] = new float[outC * inC];
        var tmp = new double[a, 3];
        for (int co = 0; co < outC; co++)
            for (int ci = 0; ci < inC; ci++)
            {
                int f = (co * inC + ci) * 9;
                for (int i = 0; i < a; i++)
                    for (int j = 0; j < 3; j++)
                        tmp[i, j] = g[i, 0] * weights[f + j] + g[i, 1] * weights[f + 3 + j] + g[i, 2] * weights[f + 6 + j];
                for (int i = 0; i < a; i++)
                    for (int j = 0; j < a; j++)
                        sets[i * a + j][co * inC + ci] = (float)(tmp[i, 0] * g[j, 0] + tmp[i, 1] * g[j, 1] + tmp[i, 2] * g[j, 2]);
            }
        return sets;
    }
}
