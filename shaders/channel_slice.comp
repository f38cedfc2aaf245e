#version 450
// A contiguous range of channels of an NCHW tensor; pc.in0 already points at the first channel taken.
// x = element within the output sample, y = batch item.
#include "common.glsl"

layout(constant_id = 1) const int COUNT = 1;     // output channels * H * W
layout(constant_id = 2) const int IN_STRIDE = 1; // input channels * H * W

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= uint(COUNT)) return;
    uint n = gl_GlobalInvocationID.y;
    STORE(pc.out0 + n * uint(COUNT) + i, LOAD(pc.in0 + n * uint(IN_STRIDE) + i));
}
