#version 450
// One part of a channel concatenation and the blocks of zeros right after it: copies the part (COUNT elements, none
// for a leading block of zeros) into its channel range of the output, then writes ZEROS zeros after it, so a part
// padded with zeros (BlazeFace's channel padding) is one dispatch. pc.out0 already points at the part's first channel.
// x = element (VEC4: texel) within the range, y = batch item. VEC4 where the part, the zeros, the output's batch
// stride and both offsets are whole texels (NC4HW4 parts of whole quads always are): one texel fetch and one vec4
// store per invocation instead of four scalar loads, which lavapipe runs as a loop over the lanes each.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int COUNT = 1;      // part channels * H * W (0: no part, only zeros)
layout(constant_id = 2) const int OUT_STRIDE = 1; // output channels * H * W
layout(constant_id = 3) const int ZEROS = 0;      // channels * H * W of the zero blocks after the part
layout(constant_id = 4) const int VEC4 = 0;       // 1: COUNT, ZEROS, OUT_STRIDE and the offsets are multiples of 4

void main() {
    uint i = gl_GlobalInvocationID.x;
    uint n = gl_GlobalInvocationID.y;
    if (VEC4 != 0) {
        if (i >= uint((COUNT + ZEROS) / 4)) return;
        real4 v = real4(0.0);
        if (i < uint(COUNT / 4)) v = LOAD4(TEXEL(pc.in0 + n * uint(COUNT)) + int(i));
        STORE4(TEXEL(pc.out0 + n * uint(OUT_STRIDE)) + int(i), v);
        return;
    }
    if (i >= uint(COUNT + ZEROS)) return;
    real v = real(0.0);
    if (i < uint(COUNT)) v = LOAD(pc.in0 + n * uint(COUNT) + i);
    STORE(pc.out0 + n * uint(OUT_STRIDE) + i, v);
}
