#version 450
// One part of a channel concatenation: copies a part (or writes zeros) into its channel range of the output.
// pc.out0 already points at the part's first channel. x = element within the part, y = batch item.
#include "common.glsl"

layout(constant_id = 1) const int COUNT = 1;      // part channels * H * W
layout(constant_id = 2) const int OUT_STRIDE = 1; // output channels * H * W
layout(constant_id = 3) const int ZERO = 0;       // 1: the part is zeros (no input)

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= uint(COUNT)) return;
    uint n = gl_GlobalInvocationID.y;
    STORE(pc.out0 + n * uint(OUT_STRIDE) + i, ZERO != 0 ? real(0.0) : LOAD(pc.in0 + n * uint(COUNT) + i));
}
