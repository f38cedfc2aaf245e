// The shared-memory tiled GEMM of the GPU variants (pointwise_conv_shared.comp, conv2d_shared.comp):
// out[oc][px] = sum_k w[k][oc] * in[k][px] over a reduction of GEMM_K rows. A workgroup computes TILE_OC output
// channels x TILE_PX pixels. It walks the reduction in slices of K_SLICE rows: all invocations first copy the slice's
// inputs [K_SLICE][TILE_PX] and weights [K_SLICE][TILE_OC] into shared memory (consecutive invocations read
// consecutive addresses: coalesced), then each multiplies its RM x RN register tile out of shared memory. Every value
// read from global memory thus feeds a whole tile of multiply-adds, where without sharing each invocation would fetch
// its own copies. (On lavapipe shared memory is ordinary memory, so this does not pay there.)
// The includer defines, before including: the constants TILE_OC (a multiple of RM), TILE_PX (a multiple of RN),
// K_SLICE, GEMM_K, QUAD_ORDER (1: rows 4r..4r+3 of a pixel are neighbours in memory, NC4HW4, so the copy hands them to
// neighbouring invocations) and
//   real gemmInput(int k, int p): row k (< GEMM_K) at pixel p (clamped in range) of this workgroup's batch item;
// after it: void gemmStore(int oc, int p, real sum), called for each of the tile's outputs (oc may pass the layer's
// channels and p its pixels: the includer drops those). Weights are [row][oc], rows padded with zeros to whole
// slices and each row to OC_PAD (a whole number of tiles), so the weight copy needs no bounds checks.

// Register tile: RM output channels x RN pixels per invocation, strided so that neighbouring invocations take
// neighbouring pixels (coalesced stores, conflict-free shared reads). The workgroup is (TILE_PX / RN) x
// (TILE_OC / RM) invocations; the kernel passes that product as the workgroup size.
const int RM = 8;
const int RN = 4;
const int TPX = TILE_PX / RN; // invocations along pixels
const int TOC = TILE_OC / RM; // invocations along output channels
const int THREADS = TPX * TOC;

shared real xs[K_SLICE * TILE_PX];
shared real ws[K_SLICE * TILE_OC];

void gemmStore(int oc, int p, real sum);

// The workgroup's tile from pixel px0 (of pixelCount) and output channel oc0, weights from wBase with rows of ocPad.
// Every invocation runs every iteration (no early exit): barrier() must be reached by the whole workgroup.
void sharedGemm(int px0, int pixelCount, int oc0, uint wBase, int ocPad) {
    int tid = int(gl_LocalInvocationID.x);
    int tx = tid % TPX, ty = tid / TPX;
    real acc[RM * RN];
    for (int i = 0; i < RM * RN; i++) acc[i] = real(0);
#if defined(FP16_ARITH)
    // fp16 partial sums are folded into fp32 totals every 32 rows (as in pointwise_conv_tiled): an fp16 sum of
    // hundreds of terms drifts by a few percent, a sum of 32 by well under one.
    const int FOLD_SLICES = max(1, 32 / K_SLICE);
    float total[RM * RN];
    for (int i = 0; i < RM * RN; i++) total[i] = 0.0;
#endif
    for (int k0 = 0, slice = 0; k0 < GEMM_K; k0 += K_SLICE, slice++) {
        // Tail pixels load a clamped (in-range) pixel; rows past GEMM_K store zero.
        for (int e = tid; e < K_SLICE * TILE_PX; e += THREADS) {
            int k = QUAD_ORDER != 0 ? e / (4 * TILE_PX) * 4 + e % 4 : e / TILE_PX;
            int px = QUAD_ORDER != 0 ? e / 4 % TILE_PX : e % TILE_PX;
            int row = k0 + k;
            real v = gemmInput(min(row, GEMM_K - 1), min(px0 + px, pixelCount - 1));
            xs[k * TILE_PX + px] = row < GEMM_K ? v : real(0);
        }
        for (int e = tid; e < K_SLICE * TILE_OC; e += THREADS)
            ws[e] = W(wBase + uint((k0 + e / TILE_OC) * ocPad + oc0 + e % TILE_OC));
        barrier();

        for (int k = 0; k < K_SLICE; k++) {
            real a[RN], b[RM];
            for (int j = 0; j < RN; j++) a[j] = xs[k * TILE_PX + tx + j * TPX];
            for (int i = 0; i < RM; i++) b[i] = ws[k * TILE_OC + ty + i * TOC];
            for (int i = 0; i < RM; i++)
                for (int j = 0; j < RN; j++) acc[i * RN + j] = fma(b[i], a[j], acc[i * RN + j]);
        }
        // The next slice overwrites xs / ws: everyone must be done reading them.
        barrier();
#if defined(FP16_ARITH)
        if (slice % FOLD_SLICES == FOLD_SLICES - 1)
            for (int i = 0; i < RM * RN; i++) { total[i] += float(acc[i]); acc[i] = real(0); }
#endif
    }
#if defined(FP16_ARITH)
    for (int i = 0; i < RM * RN; i++) total[i] += float(acc[i]);
#define GEMM_SUM(i) real(total[i])
#else
#define GEMM_SUM(i) acc[i]
#endif
    for (int i = 0; i < RM; i++)
        for (int j = 0; j < RN; j++) gemmStore(oc0 + ty + i * TOC, px0 + tx + j * TPX, GEMM_SUM(i * RN + j));
}
