#version 450
// Fast depthwise convolution: each invocation computes PX consecutive output pixels of one row of one
// channel, loading each needed input column once per kernel row (stride 1: PX+KW-1 loads feed PX*KW
// multiply-adds). Filter taps and bias come from the uniform window (binding 2), packed by
// DepthwiseConvTiledKernel as TAPS_V4 vec4s per channel: KH*KW taps, then the bias. pc.aux0 is the first
// channel of this dispatch (a layer with many channels is split so its weights fit one window).
// x = (output row, group of PX columns), y = channel within the dispatch, z = batch item.
#include "common.glsl"

layout(constant_id = 1) const int C = 1;
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

const int TAPS_V4 = (KH * KW + 1 + 3) / 4;
const int SPAN = (PX - 1) * SW + KW; // input columns one row of PX outputs touches
const int GROUPS_PER_ROW = (OUT_W + PX - 1) / PX;

real tap(int local, int t) { return real(wv[local * TAPS_V4 + t / 4][t % 4]); }

void main() {
    int g = int(gl_GlobalInvocationID.x);
    int cl = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (g >= OUT_H * GROUPS_PER_ROW) return;
    int oy = g / GROUPS_PER_ROW;
    int ox0 = (g % GROUPS_PER_ROW) * PX;
    int c = int(pc.aux0) + cl;
    int iy0 = oy * SH - PAD_T, ix0 = ox0 * SW - PAD_L;
    uint plane = pc.in0 + uint((n * C + c) * IN_H * IN_W);

    real acc[PX];
    real bias = tap(cl, KH * KW);
    for (int k = 0; k < PX; k++) acc[k] = bias;
    bool interiorX = ix0 >= 0 && ix0 + SPAN <= IN_W;
    for (int ky = 0; ky < KH; ky++) {
        int iy = iy0 + ky;
        if (iy < 0 || iy >= IN_H) continue;
        uint row = plane + uint(iy * IN_W);
        real span[SPAN];
        if (interiorX) {
            for (int s = 0; s < SPAN; s++) span[s] = LOAD(row + uint(ix0 + s));
        } else {
            for (int s = 0; s < SPAN; s++) {
                int ix = ix0 + s;
                span[s] = (ix >= 0 && ix < IN_W) ? LOAD(row + uint(ix)) : real(0);
            }
        }
        for (int kx = 0; kx < KW; kx++) {
            real w = tap(cl, ky * KW + kx);
            for (int k = 0; k < PX; k++) acc[k] = fma(span[k * SW + kx], w, acc[k]);
        }
    }
    uint o = uint((n * C + c) * OUT_H * OUT_W + oy * OUT_W);
    for (int k = 0; k < PX; k++) {
        int ox = ox0 + k;
        if (ox >= OUT_W) break;
        real s = acc[k];
        if (HAS_RESIDUAL != 0) s += LOAD(pc.in1 + o + uint(ox));
        STORE(pc.out0 + o + uint(ox), activate(s, ACT));
    }
}
