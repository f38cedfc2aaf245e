#version 450
// 1x1 convolution as a shared-memory tiled GEMM, for GPUs: out[oc][px] = sum_ci w[oc][ci] * in[ci][px].
// A workgroup computes TILE_OC output channels x TILE_PX pixels of one batch item. It walks the input channels
// in slices of K_SLICE: all invocations first copy the slice's inputs [K_SLICE][TILE_PX] and weights
// [K_SLICE][TILE_OC] into shared memory (consecutive invocations read consecutive addresses: coalesced), then
// each multiplies its RM x RN register tile out of shared memory. Every input value read from global memory
// thus feeds TILE_OC multiply-adds and every weight TILE_PX, where without sharing each invocation would
// fetch its own copies. (On lavapipe shared memory is ordinary memory, so this does not pay there.)
// Weights are repacked by PointwiseConvSharedKernel as [ci][oc], both padded with zeros to whole tiles, so the
// weight copy needs no bounds checks. One dispatch per layer; x = pixel tile, y = output-channel tile,
// z = batch item.
// PACKED (WinogradConvKernel's batched GEMM on a GPU): input and output are NC4HW4 (channel c of pixel p at element
// ((c / 4) x HW + p) x 4 + c % 4 of a batch item, the same size as NCHW), and batch item z uses weight set
// z % WEIGHT_SETS (each set repacked as above, one after the other): one dispatch runs one GEMM per Winograd position.
#include "common.glsl"

layout(constant_id = 1) const int IN_C = 1;
layout(constant_id = 2) const int OUT_C = 1;
layout(constant_id = 3) const int HW = 1;
layout(constant_id = 4) const int HAS_BIAS = 0;
layout(constant_id = 5) const int ACT = 0;
layout(constant_id = 6) const int HAS_RESIDUAL = 0;
layout(constant_id = 7) const int TILE_OC = 32;  // multiple of RM
layout(constant_id = 8) const int TILE_PX = 64;  // multiple of RN
layout(constant_id = 9) const int K_SLICE = 16;
layout(constant_id = 10) const int PACKED = 0;
layout(constant_id = 11) const int WEIGHT_SETS = 1;

// Register tile: RM output channels x RN pixels per invocation, strided so that neighbouring invocations take
// neighbouring pixels (coalesced stores, conflict-free shared reads). The workgroup is (TILE_PX / RN) x
// (TILE_OC / RM) invocations; the kernel passes that product as the workgroup size.
const int RM = 8;
const int RN = 4;
const int TPX = TILE_PX / RN; // invocations along pixels
const int TOC = TILE_OC / RM; // invocations along output channels
const int THREADS = TPX * TOC;
const int OC_PAD = (OUT_C + TILE_OC - 1) / TILE_OC * TILE_OC; // row length of the repacked weights
const int IN_PAD = (IN_C + K_SLICE - 1) / K_SLICE * K_SLICE;   // rows of one weight set

// Element of channel c, pixel p within a batch item, in either layout.
int elementOf(int c, int p) { return PACKED != 0 ? ((c >> 2) * HW + p) * 4 + (c & 3) : c * HW + p; }

shared real xs[K_SLICE * TILE_PX];
shared real ws[K_SLICE * TILE_OC];

void main() {
    int tid = int(gl_LocalInvocationID.x);
    int tx = tid % TPX, ty = tid / TPX;
    int px0 = int(gl_WorkGroupID.x) * TILE_PX;
    int oc0 = int(gl_WorkGroupID.y) * TILE_OC;
    int n = int(gl_WorkGroupID.z);
    uint inBase = pc.in0 + uint(n * IN_C * HW);

    real acc[RM * RN];
    for (int i = 0; i < RM * RN; i++) acc[i] = real(0);
#if defined(FP16_ARITH)
    // fp16 partial sums are folded into fp32 totals every FOLD input channels (as in pointwise_conv_tiled): an
    // fp16 sum of hundreds of terms drifts by a few percent, a sum of 32 by well under one.
    const int FOLD_SLICES = max(1, 32 / K_SLICE);
    float total[RM * RN];
    for (int i = 0; i < RM * RN; i++) total[i] = 0.0;
#endif

    // Every invocation runs every iteration (no early exit): barrier() must be reached by the whole workgroup.
    for (int k0 = 0, slice = 0; k0 < IN_C; k0 += K_SLICE, slice++) {
        // Tail pixels and channels past IN_C load a clamped (in-range) address; channels past IN_C store zero.
        // Packed: the 4 channels of a pixel are neighbours in memory, so they go to neighbouring invocations.
        for (int e = tid; e < K_SLICE * TILE_PX; e += THREADS) {
            int k = PACKED != 0 ? e / (4 * TILE_PX) * 4 + e % 4 : e / TILE_PX;
            int px = PACKED != 0 ? e / 4 % TILE_PX : e % TILE_PX;
            int ci = k0 + k;
            int p = min(px0 + px, HW - 1);
            real v = LOAD(inBase + uint(elementOf(min(ci, IN_C - 1), p)));
            xs[k * TILE_PX + px] = ci < IN_C ? v : real(0);
        }
        // Weights are padded to whole slices and tiles: no checks.
        uint wBase = pc.weights + uint(n % WEIGHT_SETS * IN_PAD * OC_PAD);
        for (int e = tid; e < K_SLICE * TILE_OC; e += THREADS)
            ws[e] = W(wBase + uint((k0 + e / TILE_OC) * OC_PAD + oc0 + e % TILE_OC));
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
#endif

    for (int i = 0; i < RM; i++) {
        int co = oc0 + ty + i * TOC;
        if (co >= OUT_C) continue;
        real b = HAS_BIAS != 0 ? W(pc.bias + co) : real(0);
        uint o = pc.out0 + uint(n * OUT_C * HW);
        uint r = pc.in1 + uint(n * OUT_C * HW);
        for (int j = 0; j < RN; j++) {
            int p = px0 + tx + j * TPX;
            if (p >= HW) continue;
#if defined(FP16_ARITH)
            real s = real(total[i * RN + j]) + b;
#else
            real s = acc[i * RN + j] + b;
#endif
            // The residual may be this output's own storage (planned in place): this invocation alone reads
            // and then writes each element.
            if (HAS_RESIDUAL != 0) s += LOAD(r + uint(elementOf(co, p)));
            STORE(o + uint(elementOf(co, p)), activate(s, ACT));
        }
    }
}
