#version 450
// A standalone activation (when activation fusion is off). x = element within a sample, y = batch item.
#include "common.glsl"

layout(constant_id = 1) const int COUNT = 1;
layout(constant_id = 2) const int ACT = 0;

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= uint(COUNT)) return;
    uint o = gl_GlobalInvocationID.y * uint(COUNT) + i;
    STORE(pc.out0 + o, activate(LOAD(pc.in0 + o), ACT));
}
