#version 450
// Depthwise convolution on channel-packed tensors (NC4HW4: the 4 channels 4k..4k+3 of a pixel are one vec4):
// each invocation computes PX consecutive output pixels of one row for 4 channels at once, loading each input
// vec4 of the row span it needs once. Taps and bias come from the uniform window, packed by
// DepthwiseConvPackedKernel as KH*KW+1 vec4s per group of 4 channels (tap t of the 4 channels, ..., their bias).
// pc.aux0 = first channel group of this dispatch (a layer with many channels is split so its weights fit one window).
// x = (output row, group of PX columns), y = channel group within the dispatch, z = batch item.
#include "common.glsl"

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

layout(std140, binding = 2) uniform WeightWindow { vec4 wv[4096]; };

#if defined(FP16_STORAGE)
layout(std430, binding = 0) buffer ActivationsV4 { f16vec4 act4[]; };
#define STORE4(i, v) act4[i] = f16vec4(v)
#else
layout(std430, binding = 0) buffer ActivationsV4 { vec4 act4[]; };
#define STORE4(i, v) act4[i] = vec4(v)
#endif

const int TAPS = KH * KW;
const int SPAN = (PX - 1) * SW + KW; // input columns one row of PX outputs touches
const int GROUPS_PER_ROW = (OUT_W + PX - 1) / PX;
const int C4 = C / 4;

void main() {
    int g = int(gl_GlobalInvocationID.x);
    int local = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (g >= OUT_H * GROUPS_PER_ROW) return;
    int oy = g / GROUPS_PER_ROW;
    int ox0 = (g % GROUPS_PER_ROW) * PX;
    int c4 = int(pc.aux0) + local;
    int iy0 = oy * SH - PAD_T, ix0 = ox0 * SW - PAD_L;
    uint plane = (pc.in0 >> 2) + uint((n * C4 + c4) * IN_H * IN_W);
    int wb = local * (TAPS + 1);

    real4 acc[PX];
    real4 bias = real4(wv[wb + TAPS]);
    for (int k = 0; k < PX; k++) acc[k] = bias;
    for (int ky = 0; ky < KH; ky++) {
        int iy = iy0 + ky;
        if (iy < 0 || iy >= IN_H) continue;
        uint row = plane + uint(iy * IN_W);
        real4 span[SPAN];
        for (int s = 0; s < SPAN; s++) {
            int ix = ix0 + s;
            span[s] = (ix >= 0 && ix < IN_W) ? real4(act4[row + uint(ix)]) : real4(0);
        }
        for (int kx = 0; kx < KW; kx++) {
            real4 w = real4(wv[wb + ky * KW + kx]);
            for (int k = 0; k < PX; k++) acc[k] = fma(span[k * SW + kx], w, acc[k]);
        }
    }
    uint o = uint((n * C4 + c4) * OUT_H * OUT_W + oy * OUT_W);
    for (int k = 0; k < PX; k++) {
        int ox = ox0 + k;
        if (ox >= OUT_W) break;
        real4 s = acc[k];
        if (HAS_RESIDUAL != 0) s += real4(act4[(pc.in1 >> 2) + o + uint(ox)]);
        STORE4((pc.out0 >> 2) + o + uint(ox), activate(s, ACT));
    }
}
