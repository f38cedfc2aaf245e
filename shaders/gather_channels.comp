#version 450
// Channels of an NC4HW4 pool picked by a table (engine/Kernels/GatherChannelsKernel.cs): output channel c is pool
// channel table[c], the table one texel per output quad in the weights at pc.weights. Each source channel is a
// component of a pool texel, so an output quad is 4 texel fetches whatever the table. Output NC4HW4 (C a multiple of
// 4) or NCHW. x = pixel, y = output quad, z = batch item.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int C = 4;          // output channels
layout(constant_id = 2) const int SRC_C = 4;      // pool channels, a multiple of 4
layout(constant_id = 3) const int HW = 1;
layout(constant_id = 4) const int OUT_PACKED = 1; // 1: output NC4HW4, 0: NCHW

void main() {
    int p = int(gl_GlobalInvocationID.x);
    int g = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p >= HW) return;
    ivec4 slot = ivec4(texelFetch(weightTexels, TEXEL(pc.weights) + g));
    int pool = TEXEL(pc.in0) + n * (SRC_C / 4) * HW + p;
    vec4 v;
    for (int j = 0; j < 4; j++) v[j] = float(LOAD4(pool + (slot[j] >> 2) * HW)[slot[j] & 3]);
    if (OUT_PACKED != 0) {
        STORE4(TEXEL(pc.out0) + (n * (C / 4) + g) * HW + p, v);
        return;
    }
    for (int j = 0; j < 4; j++)
        if (g * 4 + j < C) STORE(pc.out0 + uint((n * C + g * 4 + j) * HW + p), v[j]);
}
