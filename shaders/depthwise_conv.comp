#version 450
// Depthwise convolution (one filter per channel), any kernel size, stride and dilation, asymmetric padding.
// x = output pixel, y = channel, z = batch item. Interior pixels skip the bounds tests.
#define FP32_SUMS // see common.glsl
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
layout(constant_id = 12) const int HAS_BIAS = 0;
layout(constant_id = 13) const int ACT = 0;
layout(constant_id = 14) const int HAS_RESIDUAL = 0;
layout(constant_id = 15) const int DH = 1; // dilation: taps DH rows apart
layout(constant_id = 16) const int DW = 1;

void main() {
    int p = int(gl_GlobalInvocationID.x);
    int c = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p >= OUT_H * OUT_W) return;
    int oy = p / OUT_W, ox = p % OUT_W;
    int iy0 = oy * SH - PAD_T, ix0 = ox * SW - PAD_L;
    uint inPlane = pc.in0 + uint((n * C + c) * IN_H * IN_W);
    uint wBase = pc.weights + uint(c * KH * KW);

    real sum = HAS_BIAS != 0 ? W(pc.bias + c) : real(0);
    bool interior = iy0 >= 0 && ix0 >= 0 && iy0 + (KH - 1) * DH < IN_H && ix0 + (KW - 1) * DW < IN_W;
    for (int ky = 0; ky < KH; ky++) {
        int iy = iy0 + ky * DH;
        if (!interior && (iy < 0 || iy >= IN_H)) continue;
        for (int kx = 0; kx < KW; kx++) {
            int ix = ix0 + kx * DW;
            if (!interior && (ix < 0 || ix >= IN_W)) continue;
            sum = fma(LOAD(inPlane + uint(iy * IN_W + ix)), W(wBase + uint(ky * KW + kx)), sum);
        }
    }
    uint o = uint((n * C + c) * OUT_H * OUT_W + p);
    if (HAS_RESIDUAL != 0) sum += LOAD(pc.in1 + o);
    STORE(pc.out0 + o, activate(sum, ACT));
}
