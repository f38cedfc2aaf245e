#version 450
// 1.0 where the two inputs are equal, else 0.0. x = element within a sample, y = batch item.
#include "common.glsl"

layout(constant_id = 1) const int COUNT = 1;

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= uint(COUNT)) return;
    uint o = gl_GlobalInvocationID.y * uint(COUNT) + i;
    STORE(pc.out0 + o, LOAD(pc.in0 + o) == LOAD(pc.in1 + o) ? real(1.0) : real(0.0));
}
