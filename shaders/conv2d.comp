#version 450
// Direct convolution, any kernel size, stride, asymmetric padding and group count (the network stem and
// any conv that is neither depthwise nor 1x1). One invocation per output value:
// x = output pixel (oy*OUT_W+ox), y = output channel, z = batch item.
#include "common.glsl"

layout(constant_id = 1) const int IN_C = 1;
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int OUT_C = 1;
layout(constant_id = 5) const int OUT_H = 1;
layout(constant_id = 6) const int OUT_W = 1;
layout(constant_id = 7) const int KH = 3;
layout(constant_id = 8) const int KW = 3;
layout(constant_id = 9) const int SH = 1;
layout(constant_id = 10) const int SW = 1;
layout(constant_id = 11) const int PAD_T = 0;
layout(constant_id = 12) const int PAD_L = 0;
layout(constant_id = 13) const int GROUPS = 1;
layout(constant_id = 14) const int HAS_BIAS = 0;
layout(constant_id = 15) const int ACT = 0;
layout(constant_id = 16) const int HAS_RESIDUAL = 0;
layout(constant_id = 17) const int DH = 1; // dilation: taps DH rows apart
layout(constant_id = 18) const int DW = 1;

void main() {
    int p = int(gl_GlobalInvocationID.x);
    int co = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p >= OUT_H * OUT_W) return;
    int oy = p / OUT_W, ox = p % OUT_W;
    const int IC_PER_G = IN_C / GROUPS;
    int g = co / (OUT_C / GROUPS);

    real sum = HAS_BIAS != 0 ? W(pc.bias + co) : real(0);
    for (int ic = 0; ic < IC_PER_G; ic++) {
        int ci = g * IC_PER_G + ic;
        uint inPlane = pc.in0 + uint((n * IN_C + ci) * IN_H * IN_W);
        uint wBase = pc.weights + uint(((co * IC_PER_G) + ic) * KH * KW);
        for (int ky = 0; ky < KH; ky++) {
            int iy = oy * SH + ky * DH - PAD_T;
            if (iy < 0 || iy >= IN_H) continue;
            for (int kx = 0; kx < KW; kx++) {
                int ix = ox * SW + kx * DW - PAD_L;
                if (ix < 0 || ix >= IN_W) continue;
                sum = fma(LOAD(inPlane + uint(iy * IN_W + ix)), W(wBase + uint(ky * KW + kx)), sum);
            }
        }
    }
    uint o = uint((n * OUT_C + co) * OUT_H * OUT_W + p);
    if (HAS_RESIDUAL != 0) sum += LOAD(pc.in1 + o);
    STORE(pc.out0 + o, activate(sum, ACT));
}
