#version 450
// Max pooling over the window positions inside the input (padding never wins). x = output pixel, y = channel (channel
// quad when PACKED), z = batch item.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int C = 1;
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int OUT_H = 1;
layout(constant_id = 5) const int OUT_W = 1;
layout(constant_id = 6) const int KH = 1;
layout(constant_id = 7) const int KW = 1;
layout(constant_id = 8) const int SH = 1;
layout(constant_id = 9) const int SW = 1;
layout(constant_id = 10) const int PAD_T = 0;
layout(constant_id = 11) const int PAD_L = 0;
layout(constant_id = 12) const int PACKED = 0; // 1: input and output NC4HW4 (C a multiple of 4), 4 channels per invocation

// ShuffleNetV1's stem -> max pool -> packed body: the 4 channels of a pixel are one texel.
void pooledQuad(int p, int c4, int n) {
    int iy0 = (p / OUT_W) * SH - PAD_T, ix0 = (p % OUT_W) * SW - PAD_L;
    int plane = TEXEL(pc.in0) + (n * (C / 4) + c4) * IN_H * IN_W;
    vec4 best = vec4(-3.402823466e38);
    for (int iy = max(iy0, 0); iy < min(iy0 + KH, IN_H); iy++)
        for (int ix = max(ix0, 0); ix < min(ix0 + KW, IN_W); ix++)
            best = max(best, vec4(LOAD4(plane + iy * IN_W + ix)));
    STORE4(TEXEL(pc.out0) + (n * (C / 4) + c4) * OUT_H * OUT_W + p, best);
}

void main() {
    int p = int(gl_GlobalInvocationID.x);
    int c = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p >= OUT_H * OUT_W) return;
    if (PACKED != 0) { pooledQuad(p, c, n); return; }
    int iy0 = (p / OUT_W) * SH - PAD_T, ix0 = (p % OUT_W) * SW - PAD_L;
    uint plane = pc.in0 + uint((n * C + c) * IN_H * IN_W);
    // The builder keeps padding smaller than the window, so every window holds at least one input pixel.
    float best = -3.402823466e38;
    for (int iy = max(iy0, 0); iy < min(iy0 + KH, IN_H); iy++)
        for (int ix = max(ix0, 0); ix < min(ix0 + KW, IN_W); ix++)
            best = max(best, float(act[plane + uint(iy * IN_W + ix)]));
    STORE(pc.out0 + uint((n * C + c) * OUT_H * OUT_W + p), best);
}
