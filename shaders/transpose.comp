#version 450
// Permutes the per-sample axes (C, H, W): output axis i is input axis P_i. x = output element, y = batch item.
// The input is NCHW, or NC4HW4 (channels a multiple of 4: a packed convolution's output read directly, e.g. an SSD
// head turned channels-last); the output is NCHW.
#include "common.glsl"

layout(constant_id = 1) const int D0 = 1; // input C, H, W
layout(constant_id = 2) const int D1 = 1;
layout(constant_id = 3) const int D2 = 1;
layout(constant_id = 4) const int P0 = 0;
layout(constant_id = 5) const int P1 = 1;
layout(constant_id = 6) const int P2 = 2;
layout(constant_id = 7) const int PACKED_IN = 0; // 1: the input is NC4HW4

void main() {
    int count = D0 * D1 * D2;
    int o = int(gl_GlobalInvocationID.x);
    if (o >= count) return;
    int n = int(gl_GlobalInvocationID.y);
    int dims[3] = int[3](D0, D1, D2);
    int o1 = dims[P1], o2 = dims[P2];
    int idx[3];
    idx[P0] = o / (o1 * o2);
    idx[P1] = (o / o2) % o1;
    idx[P2] = o % o2;
    int i = PACKED_IN != 0 ? ((idx[0] >> 2) * D1 * D2 + idx[1] * D2 + idx[2]) * 4 + (idx[0] & 3)
                           : (idx[0] * D1 + idx[1]) * D2 + idx[2];
    STORE(pc.out0 + uint(n * count + o), LOAD(pc.in0 + uint(n * count + i)));
}
