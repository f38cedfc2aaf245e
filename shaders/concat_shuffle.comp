#version 450
// One part of a channel concatenation followed by a channel shuffle, in one pass: the part's channel c is concat
// channel k = FIRST + c, which the shuffle puts at output channel (k % (OUT_C / GROUPS)) * GROUPS + k / (OUT_C / GROUPS).
// NCHW in and out; x = element within the part, y = batch item.
#include "common.glsl"

layout(constant_id = 1) const int COUNT = 1;  // part channels * H * W
layout(constant_id = 2) const int PLANE = 1;  // H * W
layout(constant_id = 3) const int OUT_C = 1;
layout(constant_id = 4) const int FIRST = 0;  // the part's first channel in the concatenation
layout(constant_id = 5) const int GROUPS = 1;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i >= COUNT) return;
    int n = int(gl_GlobalInvocationID.y);
    const int CG = OUT_C / GROUPS;
    int k = FIRST + i / PLANE;
    int pos = (k % CG) * GROUPS + k / CG;
    STORE(pc.out0 + uint((n * OUT_C + pos) * PLANE + i % PLANE), LOAD(pc.in0 + uint(n * COUNT + i)));
}
