#version 450
// Grouped 1x1 convolution on channel-packed tensors (NC4HW4), ShuffleNetV1's, one dispatch per layer: the tiling of
// pointwise_conv_packed.comp (PX pixels x OC_TILE output channels per invocation, invocation i taking pixels i, i+L,
// ...; inputs and weights as texels) with a group index. The grid's y axis is the output block; BLOCKS blocks per
// group, groups in order, so a workgroup's group is uniform and each block reads only its group's input quads.
// Every group's input and output channel counts multiples of 4, or RAGGED below (KernelCapabilities).
// SHUFFLE > 1 reads the input through a channel shuffle of SHUFFLE groups (ShuffledReadConvOp): channel c of the
// shuffled tensor is channel (c % SHUFFLE) * (IN_C / SHUFFLE) + c / SHUFFLE of the stored one. A shuffle does not map
// whole quads to quads, so each of the 4 channels of a quad is one texel fetch (the source indices are the same for
// the whole workgroup: only the pixel varies per lane).
// Weights are packed by PointwiseConvGroupedPackedKernel as [group][block of OC_TILE][IN_C / GROUPS][OC_TILE].
// RAGGED: groups whose channel counts are not multiples of 4 (ShuffleNetV1 g = 4: 17 and 68 per group) in tensors whose
// channel counts are. Blocks of OC_TILE then run over all OUT_C channels (a block may straddle two groups), each reading
// the input quads that cover its groups' input channels, with zero weights for the pairs in different groups; weights
// as [block][RAGGED_QUADS * 4][OC_TILE], RAGGED_QUADS the most quads a block reads.
// x = PX pixels per invocation, y = output block (group * BLOCKS + block; RAGGED: block), z = batch item.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int IN_C = 4;
layout(constant_id = 2) const int OUT_C = 4;
layout(constant_id = 3) const int HW = 1;
layout(constant_id = 4) const int GROUPS = 1;
layout(constant_id = 5) const int HAS_BIAS = 0;
layout(constant_id = 6) const int ACT = 0;
layout(constant_id = 7) const int HAS_RESIDUAL = 0;
layout(constant_id = 8) const int OC_TILE = 16;  // multiple of 4
layout(constant_id = 9) const int PX = 8;
layout(constant_id = 10) const int SHUFFLE = 1;
layout(constant_id = 11) const int RAGGED = 0;
layout(constant_id = 12) const int RAGGED_QUADS = 1;
// Quads per batch item of the tensor written (0: OUT_C / 4). Wider where the conv writes its quads of a concatenation
// (ConcatPartWriteOp: ShuffleNetV1's stride-2 branch), pc.out0 then at its first quad; no residual then.
layout(constant_id = 13) const int OUT_STRIDE_C4 = 0;

const int V = OC_TILE / 4;
const int IC_G = IN_C / GROUPS;                  // multiple of 4 unless RAGGED
const int OC_G = OUT_C / GROUPS;                 // multiple of 4 unless RAGGED
const int IC_G4 = IC_G / 4;
const int OC_G4 = OC_G / 4;
const int BLOCKS = (OC_G + OC_TILE - 1) / OC_TILE;
const int OUT_SC4 = OUT_STRIDE_C4 > 0 ? OUT_STRIDE_C4 : OUT_C / 4;

void main() {
    int L = int(gl_WorkGroupSize.x);
    int p0 = int(gl_WorkGroupID.x) * L * PX + int(gl_LocalInvocationID.x);
    int blk = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p0 >= HW) return;
    int g = blk / BLOCKS;
    // The input quads this block reads: its group's, or (RAGGED) those covering the groups of its output channels.
    int q0 = g * IC_G4, quads = IC_G4;
    int wBase = TEXEL(pc.weights) + blk * IC_G * V;
    if (RAGGED != 0) {
        int co0 = blk * OC_TILE;
        int gLo = co0 / OC_G, gHi = (min(co0 + OC_TILE, OUT_C) - 1) / OC_G;
        q0 = gLo * IC_G / 4;
        quads = ((gHi + 1) * IC_G + 3) / 4 - q0;
        wBase = TEXEL(pc.weights) + blk * RAGGED_QUADS * 4 * V;
    }

    real4 acc[PX * V];
    for (int i = 0; i < PX * V; i++) acc[i] = real4(0);
#if defined(FP16_ARITH)
    const int FOLD = 32; // fp16 partial sums fold into fp32 totals every FOLD input channels (pointwise_conv_tiled.comp)
    vec4 total[PX * V];
    for (int i = 0; i < PX * V; i++) total[i] = vec4(0);
#endif
    int pix[PX];
    for (int k = 0; k < PX; k++) pix[k] = min(p0 + k * L, HW - 1);

    int inBase = TEXEL(pc.in0) + n * (IN_C / 4) * HW;
    for (int c4 = 0; c4 < (RAGGED != 0 ? quads : IC_G4); c4++) {
        real4 x[PX];
        if (SHUFFLE > 1) {
            for (int j = 0; j < 4; j++) {
                int c = (q0 + c4) * 4 + j;
                int src = (c % SHUFFLE) * (IN_C / SHUFFLE) + c / SHUFFLE;
                int row = inBase + (src >> 2) * HW;
                for (int k = 0; k < PX; k++) x[k][j] = LOAD4(row + pix[k])[src & 3];
            }
        } else {
            int row = inBase + (q0 + c4) * HW;
            for (int k = 0; k < PX; k++) x[k] = LOAD4(row + pix[k]);
        }
        real4 w[4 * V];
        for (int i = 0; i < 4 * V; i++) w[i] = W4(wBase + c4 * 4 * V + i);
        for (int k = 0; k < PX; k++)
            for (int v = 0; v < V; v++)
                for (int j = 0; j < 4; j++) acc[k * V + v] = fma(w[j * V + v], real4(x[k][j]), acc[k * V + v]);
#if defined(FP16_ARITH)
        if (c4 % (FOLD / 4) == FOLD / 4 - 1)
            for (int i = 0; i < PX * V; i++) { total[i] += vec4(acc[i]); acc[i] = real4(0); }
#endif
    }
#if defined(FP16_ARITH)
    for (int i = 0; i < PX * V; i++) total[i] += vec4(acc[i]);
#define TILE_SUM(i) real4(total[i])
#else
#define TILE_SUM(i) acc[i]
#endif

    int local0 = (blk % BLOCKS) * V; // this block's first output quad within the group
    for (int v = 0; v < V; v++) {
        if (RAGGED != 0 ? blk * V + v >= OUT_C / 4 : local0 + v >= OC_G4) break;
        int c4o = RAGGED != 0 ? blk * V + v : g * OC_G4 + local0 + v;
        real4 b = HAS_BIAS != 0 ? W4(TEXEL(pc.bias) + c4o) : real4(0);
        int o = (n * OUT_SC4 + c4o) * HW;
        for (int k = 0; k < PX; k++) {
            int p = p0 + k * L;
            if (p >= HW) break;
            real4 s = TILE_SUM(k * V + v) + b;
            if (HAS_RESIDUAL != 0) s += LOAD4(TEXEL(pc.in1) + o + p);
            STORE4(TEXEL(pc.out0) + o + p, activate(s, ACT));
        }
    }
}
