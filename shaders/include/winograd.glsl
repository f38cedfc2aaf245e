// Winograd F(m x m, 3 x 3) transforms (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2015) for
// m = 2 (4 x 4 input tiles) and m = 4 (6 x 6), shared by winograd_input.comp and winograd_output.comp; the filter
// transform G g G^T runs on the host (engine/Kernels/WinogradTransform.cs). Written as matrix products over constant
// matrices: once the loops are unrolled every coefficient is a constant, and the zero ones are skipped at compile time.
// Expects the spec constant TILE (m, 2 or 4) to be declared before it is included.
const int ALPHA = TILE + 2;        // input tile side
const int POSITIONS = ALPHA * ALPHA;

const float BT2[16] = float[](
    1, 0, -1, 0,
    0, 1, 1, 0,
    0, -1, 1, 0,
    0, 1, 0, -1);
const float BT4[36] = float[](
    4, 0, -5, 0, 1, 0,
    0, -4, -4, 1, 1, 0,
    0, 4, -4, -1, 1, 0,
    0, -2, -1, 2, 1, 0,
    0, 2, -1, -2, 1, 0,
    0, 4, 0, -5, 0, 1);
const float AT2[8] = float[](
    1, 1, 1, 0,
    0, 1, -1, -1);
const float AT4[24] = float[](
    1, 1, 1, 1, 1, 0,
    0, 1, -1, 2, -2, 0,
    0, 1, 1, 4, 4, 0,
    0, 1, -1, 8, -8, 1);

// B^T[i][k] (ALPHA x ALPHA) and A^T[i][k] (TILE x ALPHA).
float bt(int i, int k) { return TILE == 2 ? BT2[i * 4 + k] : BT4[i * 6 + k]; }
float at(int i, int k) { return TILE == 2 ? AT2[i * 4 + k] : AT4[i * 6 + k]; }

// The first output pixel (row or column) of tile t along an axis of dilation DIL: a dilated 3x3 convolution is DIL
// interleaved undilated ones (pixels p, p + DIL, p + 2 DIL, ...), so each block of TILE x DIL pixels holds DIL tiles whose
// pixels are DIL apart; DIL = 1 gives t x TILE.
int tileOrigin(int t, int dil) { return t / dil * (TILE * dil) + t % dil; }
