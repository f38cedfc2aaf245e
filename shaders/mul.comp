#version 450
// Element-wise product; the second factor is either the same shape or one value per channel (C x 1 x 1).
// x = element (VEC4: vec4) within a sample, y = batch item. VEC4 as in add.comp: a texel gather per factor instead of a
// storage-buffer load per float; a per-channel gate only packed, where a vec4 is one channel quad of one pixel.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int COUNT = 1;     // elements per sample
layout(constant_id = 2) const int PLANE = 1;     // H * W
layout(constant_id = 3) const int BROADCAST = 0; // 1: the second factor is C x 1 x 1
layout(constant_id = 4) const int C = 1;
layout(constant_id = 5) const int PACKED = 0;    // 1: the first factor and the output are NC4HW4 (a C x 1 x 1 gate is the same either way)
layout(constant_id = 6) const int VEC4 = 0;      // 1: COUNT and every offset are multiples of 4, and a gate is packed

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (VEC4 != 0) {
        if (i >= uint(COUNT / 4)) return;
        int n = int(gl_GlobalInvocationID.y);
        int o = n * (COUNT / 4) + int(i);
        int g = BROADCAST != 0 ? n * (C / 4) + int(i) / PLANE : o; // vec4 i is channel quad i / PLANE
        STORE4(TEXEL(pc.out0) + o, LOAD4(TEXEL(pc.in0) + o) * LOAD4(TEXEL(pc.in1) + g));
        return;
    }
    if (i >= uint(COUNT)) return;
    uint n = gl_GlobalInvocationID.y;
    uint o = n * uint(COUNT) + i;
    // NC4HW4 puts channel 4k + j of pixel p at (k * PLANE + p) * 4 + j within a sample.
    uint channel = PACKED != 0 ? i / uint(4 * PLANE) * 4u + i % 4u : i / uint(PLANE);
    uint b = BROADCAST != 0 ? n * uint(C) + channel : o;
    STORE(pc.out0 + o, LOAD(pc.in0 + o) * LOAD(pc.in1 + b));
}
