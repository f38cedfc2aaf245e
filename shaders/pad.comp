#version 450
// Zero padding of the spatial dimensions. x = output pixel, y = channel (channel quad when PACKED), z = batch item.
// PACKED: NC4HW4 in and out, a texel an invocation (a padded packed 1x1 convolution's input, SqueezeNet's conv10).
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int C = 1;
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int OUT_H = 1;
layout(constant_id = 5) const int OUT_W = 1;
layout(constant_id = 6) const int PAD_T = 0;
layout(constant_id = 7) const int PAD_L = 0;
layout(constant_id = 8) const int PACKED = 0; // 1: NC4HW4 (C a multiple of 4)

void main() {
    int p = int(gl_GlobalInvocationID.x);
    int c = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p >= OUT_H * OUT_W) return;
    int iy = p / OUT_W - PAD_T, ix = p % OUT_W - PAD_L;
    bool inside = iy >= 0 && iy < IN_H && ix >= 0 && ix < IN_W;
    int planes = PACKED != 0 ? C / 4 : C;
    int from = (n * planes + c) * IN_H * IN_W + iy * IN_W + ix, to = (n * planes + c) * OUT_H * OUT_W + p;
    if (PACKED != 0) {
        real4 v = real4(0);
        if (inside) v = LOAD4(TEXEL(pc.in0) + from);
        STORE4(TEXEL(pc.out0) + to, v);
        return;
    }
    real v = real(0);
    if (inside) v = LOAD(pc.in0 + uint(from));
    STORE(pc.out0 + uint(to), v);
}
