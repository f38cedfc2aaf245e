#version 450
// Element-wise product; the second factor is either the same shape or one value per channel (C x 1 x 1).
// x = element within a sample, y = batch item.
#include "common.glsl"

layout(constant_id = 1) const int COUNT = 1;     // elements per sample
layout(constant_id = 2) const int PLANE = 1;     // H * W
layout(constant_id = 3) const int BROADCAST = 0; // 1: the second factor is C x 1 x 1
layout(constant_id = 4) const int C = 1;
layout(constant_id = 5) const int PACKED = 0;    // 1: the first factor and the output are NC4HW4 (a C x 1 x 1 gate is the same either way)

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= uint(COUNT)) return;
    uint n = gl_GlobalInvocationID.y;
    uint o = n * uint(COUNT) + i;
    // NC4HW4 puts channel 4k + j of pixel p at (k * PLANE + p) * 4 + j within a sample.
    uint channel = PACKED != 0 ? i / uint(4 * PLANE) * 4u + i % 4u : i / uint(PLANE);
    uint b = BROADCAST != 0 ? n * uint(C) + channel : o;
    STORE(pc.out0 + o, LOAD(pc.in0 + o) * LOAD(pc.in1 + b));
}
