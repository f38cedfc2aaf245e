#version 450
// Permutes the per-sample axes (C, H, W): output axis i is input axis P_i. x = output element, y = batch item.
// The input is NCHW, or NC4HW4 (channels a multiple of 4: a packed convolution's output read directly, e.g. an SSD
// head turned channels-last); the output is NCHW, or NC4HW4 (output channels a multiple of 4: an NHWC input turned
// into a packed stem's input; x is then an output texel, 4 channels of a pixel stored as one vec4).
// TEXELS reads each input element out of its texel in the arena's texel view: one gather of the lanes' texels, where a
// storage-buffer load at a scattered index is a loop over the lanes on lavapipe (an NHWC input read planar is).
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int D0 = 1; // input C, H, W
layout(constant_id = 2) const int D1 = 1;
layout(constant_id = 3) const int D2 = 1;
layout(constant_id = 4) const int P0 = 0;
layout(constant_id = 5) const int P1 = 1;
layout(constant_id = 6) const int P2 = 2;
layout(constant_id = 7) const int TEXELS = 0; // 1: the device's texel view reaches the input
layout(constant_id = 8) const int PACKED_IN = 0; // 1: the input is NC4HW4
layout(constant_id = 9) const int PACKED_OUT = 0; // 1: the output is NC4HW4

// Input element of output channel c, pixel (row x W + column) of batch item n.
real inputAt(int n, int c, int pixel) {
    int dims[3] = int[3](D0, D1, D2);
    int o2 = dims[P2];
    int idx[3];
    idx[P0] = c;
    idx[P1] = pixel / o2;
    idx[P2] = pixel % o2;
    int i = PACKED_IN != 0 ? ((idx[0] >> 2) * D1 * D2 + idx[1] * D2 + idx[2]) * 4 + (idx[0] & 3)
                           : (idx[0] * D1 + idx[1]) * D2 + idx[2];
    uint e = pc.in0 + uint(n * D0 * D1 * D2 + i);
    return TEXELS != 0 ? real(texelFetch(actTexels, int(e >> 2))[e & 3u]) : LOAD(e);
}

void main() {
    int count = D0 * D1 * D2;
    int dims[3] = int[3](D0, D1, D2);
    int plane = dims[P1] * dims[P2];
    int o = int(gl_GlobalInvocationID.x);
    int n = int(gl_GlobalInvocationID.y);
    if (PACKED_OUT != 0) {
        // One output texel (4 channels of a pixel) per invocation.
        if (o >= count / 4) return;
        int quad = o / plane, pixel = o % plane;
        real4 v;
        for (int j = 0; j < 4; j++) v[j] = inputAt(n, quad * 4 + j, pixel);
        STORE4(TEXEL(pc.out0) + n * count / 4 + o, v);
        return;
    }
    if (o >= count) return;
    STORE(pc.out0 + uint(n * count + o), inputAt(n, o / plane, o % plane));
}
