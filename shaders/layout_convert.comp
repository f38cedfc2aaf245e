#version 450
// Copies a tensor between planar NCHW and channel-packed NC4HW4 (engine/Graph/TensorLayout.cs): one invocation
// moves the 4 channels of one pixel, 4 planar elements (HW apart) <-> one packed vec4. Values are copied as
// stored (fp16 stays fp16). Unpacking a tensor padded to whole quads (a convolution's output padded by
// Conv2dProvider) drops the padding: the planar tensor has PLANAR_C channels. x = pixel, y = group of 4 channels,
// z = batch item.
#include "common.glsl"

layout(constant_id = 1) const int C = 4;         // a multiple of 4
layout(constant_id = 2) const int HW = 1;
layout(constant_id = 3) const int TO_PACKED = 1; // 1: NCHW -> NC4HW4, 0: NC4HW4 -> NCHW
layout(constant_id = 4) const int PLANAR_C = 4;  // C, or 1 to 3 fewer when unpacking drops padding

void main() {
    int p = int(gl_GlobalInvocationID.x);
    int g = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p >= HW) return;
    uint planar = uint((n * PLANAR_C + g * 4) * HW + p);
    uint packed = uint(((n * (C / 4) + g) * HW + p) * 4);
    for (int j = 0; j < 4; j++) {
        if (g * 4 + j >= PLANAR_C) break;
        if (TO_PACKED != 0) STORE(pc.out0 + packed + uint(j), LOAD(pc.in0 + planar + uint(j * HW)));
        else STORE(pc.out0 + planar + uint(j * HW), LOAD(pc.in0 + packed + uint(j)));
    }
}
