#version 450
// 1x1 convolution as a shared-memory tiled GEMM, for GPUs: out[oc][px] = sum_ci w[oc][ci] * in[ci][px]
// (include/shared_gemm.glsl: the tiles, the staging in shared memory and the register tiles). A workgroup computes
// TILE_OC output channels x TILE_PX pixels of one batch item.
// Weights are repacked by PointwiseConvSharedKernel as [ci][oc], both padded with zeros to whole tiles. One dispatch
// per layer; x = pixel tile, y = output-channel tile, z = batch item.
// PACKED (the packed 1x1 and WinogradConvKernel's batched GEMM on a GPU): input and output are NC4HW4 (channel c of
// pixel p at element ((c / 4) x HW + p) x 4 + c % 4 of a batch item, the same size as NCHW), and batch item z uses
// weight set z % WEIGHT_SETS (each set repacked as above, one after the other): one dispatch runs one GEMM per
// Winograd position. RES_C > 0: the residual has that many channels per batch item, fewer than the output's; the
// channels past them add zero (FoldResidualChannelPad).
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
layout(constant_id = 12) const int RES_C = 0;

const int GEMM_K = IN_C;
const int QUAD_ORDER = PACKED;
const int OC_PAD = (OUT_C + TILE_OC - 1) / TILE_OC * TILE_OC; // row length of the repacked weights
const int IN_PAD = (IN_C + K_SLICE - 1) / K_SLICE * K_SLICE;   // rows of one weight set
const int RESIDUAL_C = RES_C > 0 ? RES_C : OUT_C;

// Element of channel c, pixel p within a batch item, in either layout.
int elementOf(int c, int p) { return PACKED != 0 ? ((c >> 2) * HW + p) * 4 + (c & 3) : c * HW + p; }

int batchItem() { return int(gl_WorkGroupID.z); }

real gemmInput(int k, int p) { return LOAD(pc.in0 + uint(batchItem() * IN_C * HW + elementOf(k, p))); }

#include "shared_gemm.glsl"

void gemmStore(int co, int p, real sum) {
    if (co >= OUT_C || p >= HW) return;
    real s = sum + (HAS_BIAS != 0 ? W(pc.bias + co) : real(0));
    // The residual may be this output's own storage (planned in place): this invocation alone reads and then writes
    // each element.
    if (HAS_RESIDUAL != 0 && co < RESIDUAL_C) s += LOAD(pc.in1 + uint(batchItem() * RESIDUAL_C * HW + elementOf(co, p)));
    STORE(pc.out0 + uint(batchItem() * OUT_C * HW + elementOf(co, p)), activate(s, ACT));
}

void main() {
    sharedGemm(int(gl_WorkGroupID.x) * TILE_PX, HW, int(gl_WorkGroupID.y) * TILE_OC,
               pc.weights + uint(batchItem() % WEIGHT_SETS * IN_PAD * OC_PAD), OC_PAD);
}
