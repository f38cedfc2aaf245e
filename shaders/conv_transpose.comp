#version 450
// Transposed convolution (ONNX ConvTranspose), gathered: one invocation per output value finds the input pixels whose
// taps land on it (oy + PAD_T - ky * DH must be a multiple of SH), so no two invocations write the same value.
// x = output pixel, y = output channel, z = batch item. Weights are [IN_C, OUT_C/GROUPS, KH, KW].
#include "common.glsl"

layout(constant_id = 1) const int IN_C = 1;
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int OUT_C = 1;
layout(constant_id = 5) const int OUT_H = 1;
layout(constant_id = 6) const int OUT_W = 1;
layout(constant_id = 7) const int KH = 2;
layout(constant_id = 8) const int KW = 2;
layout(constant_id = 9) const int SH = 2;
layout(constant_id = 10) const int SW = 2;
layout(constant_id = 11) const int DH = 1;
layout(constant_id = 12) const int DW = 1;
layout(constant_id = 13) const int PAD_T = 0; // may be negative
layout(constant_id = 14) const int PAD_L = 0;
layout(constant_id = 15) const int GROUPS = 1;
layout(constant_id = 16) const int HAS_BIAS = 0;
layout(constant_id = 17) const int ACT = 0;

void main() {
    int p = int(gl_GlobalInvocationID.x);
    int co = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p >= OUT_H * OUT_W) return;
    int oy = p / OUT_W, ox = p % OUT_W;
    const int IC_PER_G = IN_C / GROUPS;
    const int OC_PER_G = OUT_C / GROUPS;
    int g = co / OC_PER_G, cog = co % OC_PER_G;

    real sum = HAS_BIAS != 0 ? W(pc.bias + co) : real(0);
    // Undilated: only every SH-th tap can land here, starting at (oy + PAD_T) mod SH, so step over the rest.
    // The tap's input row falls as ky grows: once it is above the image, so are all later ones.
    const int STEP_Y = DH == 1 ? SH : 1, STEP_X = DW == 1 ? SW : 1;
    int ky0 = DH == 1 ? ((oy + PAD_T) % SH + SH) % SH : 0;
    int kx0 = DW == 1 ? ((ox + PAD_L) % SW + SW) % SW : 0;
    for (int ky = ky0; ky < KH; ky += STEP_Y) {
        int ty = oy + PAD_T - ky * DH;
        if (ty < 0) break;
        if (ty % SH != 0 || ty / SH >= IN_H) continue;
        int iy = ty / SH;
        for (int kx = kx0; kx < KW; kx += STEP_X) {
            int tx = ox + PAD_L - kx * DW;
            if (tx < 0) break;
            if (tx % SW != 0 || tx / SW >= IN_W) continue;
            int ix = tx / SW;
            uint in0 = pc.in0 + uint(((n * IN_C + g * IC_PER_G) * IN_H + iy) * IN_W + ix);
            uint w0 = pc.weights + uint(((g * IC_PER_G * OC_PER_G + cog) * KH + ky) * KW + kx);
            for (int ic = 0; ic < IC_PER_G; ic++)
                sum = fma(LOAD(in0 + uint(ic * IN_H * IN_W)), W(w0 + uint(ic * OC_PER_G * KH * KW)), sum);
        }
    }
    STORE(pc.out0 + uint((n * OUT_C + co) * OUT_H * OUT_W + p), activate(sum, ACT));
}
