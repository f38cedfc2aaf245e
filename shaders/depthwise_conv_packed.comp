#version 450
// Depthwise convolution on channel-packed tensors (NC4HW4: the 4 channels 4k..4k+3 of a pixel are one vec4):
// each invocation computes PX consecutive output pixels of one row for 4 channels at once, loading each input
// vec4 of the row span it needs once. Inputs, taps and bias are read as texels (see vec4_io.glsl); the filters are
// packed by DepthwiseConvPackedKernel as KH*KW+1 vec4s per group of 4 channels (tap t of the 4 channels, ..., their
// bias). x = (output row, group of PX columns), y = channel group, z = batch item.
// IN_STRIDE_C4 / OUT_STRIDE_C4 (0: C / 4) are the quads per batch item of the tensors read and written, which may be
// wider than C: MappedConvKernel reads and writes a range of a concatenation's channels in place (GhostNet's cheap
// operation), its first quad folded into the push-constant offsets.
#define FP32_SUMS // see common.glsl
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int C = 4;        // multiple of 4
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int OUT_H = 1;
layout(constant_id = 5) const int OUT_W = 1;
layout(constant_id = 6) const int KH = 3;
layout(constant_id = 7) const int KW = 3;
layout(constant_id = 8) const int SH = 1;
layout(constant_id = 9) const int SW = 1;
layout(constant_id = 10) const int PAD_T = 0;
layout(constant_id = 11) const int PAD_L = 0;
layout(constant_id = 12) const int ACT = 0;
layout(constant_id = 13) const int HAS_RESIDUAL = 0;
layout(constant_id = 14) const int PX = 4;
layout(constant_id = 15) const int IN_STRIDE_C4 = 0;
layout(constant_id = 16) const int OUT_STRIDE_C4 = 0;

const int TAPS = KH * KW;
const int SPAN = (PX - 1) * SW + KW; // input columns one row of PX outputs touches
const int GROUPS_PER_ROW = (OUT_W + PX - 1) / PX;
const int C4 = C / 4;
const int IN_SC4 = IN_STRIDE_C4 > 0 ? IN_STRIDE_C4 : C4;
const int OUT_SC4 = OUT_STRIDE_C4 > 0 ? OUT_STRIDE_C4 : C4;

void main() {
    int g = int(gl_GlobalInvocationID.x);
    int c4 = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (g >= OUT_H * GROUPS_PER_ROW) return;
    int oy = g / GROUPS_PER_ROW;
    int ox0 = (g % GROUPS_PER_ROW) * PX;
    int iy0 = oy * SH - PAD_T, ix0 = ox0 * SW - PAD_L;
    int plane = TEXEL(pc.in0) + (n * IN_SC4 + c4) * IN_H * IN_W;
    int wb = TEXEL(pc.weights) + c4 * (TAPS + 1);

    real4 acc[PX];
    real4 bias = W4(wb + TAPS);
    for (int k = 0; k < PX; k++) acc[k] = bias;
    for (int ky = 0; ky < KH; ky++) {
        int iy = iy0 + ky;
        if (iy < 0 || iy >= IN_H) continue;
        int row = plane + iy * IN_W;
        real4 span[SPAN];
        for (int s = 0; s < SPAN; s++) {
            int ix = ix0 + s;
            real4 x = LOAD4(row + clamp(ix, 0, IN_W - 1)); // a clamped load and a select: no branch per lane
            span[s] = ix >= 0 && ix < IN_W ? x : real4(0);
        }
        for (int kx = 0; kx < KW; kx++) {
            real4 w = W4(wb + ky * KW + kx);
            for (int k = 0; k < PX; k++) acc[k] = fma(span[k * SW + kx], w, acc[k]);
        }
    }
    int o = (n * OUT_SC4 + c4) * OUT_H * OUT_W + oy * OUT_W;
    for (int k = 0; k < PX; k++) {
        int ox = ox0 + k;
        if (ox >= OUT_W) break;
        real4 s = acc[k];
        if (HAS_RESIDUAL != 0) s += LOAD4(TEXEL(pc.in1) + o + ox);
        STORE4(TEXEL(pc.out0) + o + ox, activate(s, ACT));
    }
}
