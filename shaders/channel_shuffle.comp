#version 450
// ShuffleNet's channel shuffle, NCHW in and out: output channel c is input channel
// (c % GROUPS) * (C / GROUPS) + c / GROUPS. x = element within the output sample, y = batch item.
#include "common.glsl"

layout(constant_id = 1) const int C = 1;
layout(constant_id = 2) const int PLANE = 1;  // H * W
layout(constant_id = 3) const int GROUPS = 1;

void main() {
    int o = int(gl_GlobalInvocationID.x);
    if (o >= C * PLANE) return;
    int n = int(gl_GlobalInvocationID.y);
    int c = o / PLANE, p = o % PLANE;
    int src = (c % GROUPS) * (C / GROUPS) + c / GROUPS;
    STORE(pc.out0 + uint(n * C * PLANE + o), LOAD(pc.in0 + uint((n * C + src) * PLANE + p)));
}
