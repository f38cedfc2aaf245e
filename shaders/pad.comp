#version 450
// Zero padding of the spatial dimensions. x = output pixel, y = channel, z = batch item.
#include "common.glsl"

layout(constant_id = 1) const int C = 1;
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int OUT_H = 1;
layout(constant_id = 5) const int OUT_W = 1;
layout(constant_id = 6) const int PAD_T = 0;
layout(constant_id = 7) const int PAD_L = 0;

void main() {
    int p = int(gl_GlobalInvocationID.x);
    int c = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p >= OUT_H * OUT_W) return;
    int iy = p / OUT_W - PAD_T, ix = p % OUT_W - PAD_L;
    real v = real(0);
    if (iy >= 0 && iy < IN_H && ix >= 0 && ix < IN_W)
        v = LOAD(pc.in0 + uint((n * C + c) * IN_H * IN_W + iy * IN_W + ix));
    STORE(pc.out0 + uint((n * C + c) * OUT_H * OUT_W + p), v);
}
