#version 450
// Direct convolution of any kernel size, stride, dilation, padding and group count as a shared-memory tiled implicit
// GEMM, for GPUs (conv2d_packed's variant; include/shared_gemm.glsl: the tiles, the staging in shared memory and the
// register tiles). The reduction of output channel oc of group g at output pixel p runs over the rows
// k = tap x GROUP_IN_C + ci (taps outer, as conv2d_packed orders them): row k at p is the group's input channel ci at
// the tap's input pixel, zero where the tap falls into the padding, gathered while the slice is staged (an im2col
// that never reaches memory). A workgroup computes TILE_OC output channels of one group x TILE_PX output pixels of one
// batch item. Input and output are each NCHW or NC4HW4 (IN_PACKED, OUT_PACKED; channels read and written one by
// one, so no channel count needs to be whole quads). Weights are packed by Conv2dSharedKernel as
// [group][row][output channel of the group], rows padded with zeros to whole slices, each row to OC_PAD channels.
// x = pixel tile, y = group x output-channel tile, z = batch item.
#include "common.glsl"

layout(constant_id = 1) const int IN_C = 4;
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int OUT_C = 4;
layout(constant_id = 5) const int OUT_H = 1;
layout(constant_id = 6) const int OUT_W = 1;
layout(constant_id = 7) const int KH = 3;
layout(constant_id = 8) const int KW = 3;
layout(constant_id = 9) const int SH = 1;
layout(constant_id = 10) const int SW = 1;
layout(constant_id = 11) const int PAD_T = 0;     // bottom and right padding follow from the output size
layout(constant_id = 12) const int PAD_L = 0;
layout(constant_id = 13) const int DH = 1;        // dilation: taps DH rows, DW columns apart
layout(constant_id = 14) const int DW = 1;
layout(constant_id = 15) const int GROUPS = 1;
layout(constant_id = 16) const int HAS_BIAS = 0;
layout(constant_id = 17) const int ACT = 0;
layout(constant_id = 18) const int HAS_RESIDUAL = 0;
layout(constant_id = 19) const int TILE_OC = 32;  // multiple of RM
layout(constant_id = 20) const int TILE_PX = 64;  // multiple of RN
layout(constant_id = 21) const int K_SLICE = 16;  // multiple of 4
layout(constant_id = 22) const int IN_PACKED = 0;  // 1: the input is NC4HW4
layout(constant_id = 23) const int OUT_PACKED = 0; // 1: the output and residual are NC4HW4

const int IN_HW = IN_H * IN_W;
const int OUT_HW = OUT_H * OUT_W;
const int GROUP_IN_C = IN_C / GROUPS;
const int GROUP_OUT_C = OUT_C / GROUPS;
const int GEMM_K = KH * KW * GROUP_IN_C;
const int K_PAD = (GEMM_K + K_SLICE - 1) / K_SLICE * K_SLICE;              // weight rows per group
const int BLOCKS = (GROUP_OUT_C + TILE_OC - 1) / TILE_OC;                  // output-channel tiles per group
const int OC_PAD = BLOCKS * TILE_OC;                                       // row length of the repacked weights
// A packed input's quads of one pixel are neighbours in memory, and so, within a tap, are rows 4r..4r+3 when the
// group's channels are whole quads.
const int QUAD_ORDER = IN_PACKED * (1 - (GROUP_IN_C % 4 + 3) / 4); // (x % 4 + 3) / 4: 0 for whole quads, else 1

// Element of channel c at pixel p of a batch item of C channels and HW pixels, NC4HW4 or NCHW; a batch item's size.
int elementOf(bool packed, int hw, int c, int p) { return packed ? ((c >> 2) * hw + p) * 4 + (c & 3) : c * hw + p; }
int itemSize(bool packed, int c, int hw) { return (packed ? (c + 3) / 4 * 4 : c) * hw; }

int batchItem() { return int(gl_WorkGroupID.z); }
int group() { return int(gl_WorkGroupID.y) / BLOCKS; }

real gemmInput(int k, int p) {
    int tap = k / GROUP_IN_C, ci = k % GROUP_IN_C;
    int iy = p / OUT_W * SH - PAD_T + tap / KW * DH;
    int ix = p % OUT_W * SW - PAD_L + tap % KW * DW;
    bool inside = uint(iy) < uint(IN_H) && uint(ix) < uint(IN_W);
    int e = batchItem() * itemSize(IN_PACKED != 0, IN_C, IN_HW) +
            elementOf(IN_PACKED != 0, IN_HW, group() * GROUP_IN_C + ci, inside ? iy * IN_W + ix : 0);
    return inside ? LOAD(pc.in0 + uint(e)) : real(0);
}

#include "shared_gemm.glsl"

void gemmStore(int oc, int p, real sum) {
    if (oc >= GROUP_OUT_C || p >= OUT_HW) return;
    int co = group() * GROUP_OUT_C + oc;
    uint e = uint(batchItem() * itemSize(OUT_PACKED != 0, OUT_C, OUT_HW) + elementOf(OUT_PACKED != 0, OUT_HW, co, p));
    real s = sum + (HAS_BIAS != 0 ? W(pc.bias + co) : real(0));
    // The residual may be this output's own storage (planned in place): this invocation alone reads and then writes it.
    if (HAS_RESIDUAL != 0) s += LOAD(pc.in1 + e);
    STORE(pc.out0 + e, activate(s, ACT));
}

void main() {
    int blk = int(gl_WorkGroupID.y) % BLOCKS;
    sharedGemm(int(gl_WorkGroupID.x) * TILE_PX, OUT_HW, blk * TILE_OC, pc.weights + uint(group() * K_PAD * OC_PAD), OC_PAD);
}
