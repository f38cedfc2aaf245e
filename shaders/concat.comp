#version 450
// One part of a channel concatenation: copies a part (or writes zeros) into its channel range of the output.
// pc.out0 already points at the part's first channel. x = element (VEC4: texel) within the part, y = batch item.
// VEC4 where the part, the output's batch stride and both offsets are whole texels (NC4HW4 parts of whole quads
// always are): one texel fetch and one vec4 store per invocation instead of four scalar loads, which lavapipe runs as
// a loop over the lanes each.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int COUNT = 1;      // part channels * H * W
layout(constant_id = 2) const int OUT_STRIDE = 1; // output channels * H * W
layout(constant_id = 3) const int ZERO = 0;       // 1: the part is zeros (no input)
layout(constant_id = 4) const int VEC4 = 0;       // 1: COUNT, OUT_STRIDE and the offsets are multiples of 4

void main() {
    uint i = gl_GlobalInvocationID.x;
    uint n = gl_GlobalInvocationID.y;
    if (VEC4 != 0) {
        if (i >= uint(COUNT / 4)) return;
        real4 v = ZERO != 0 ? real4(0.0) : LOAD4(TEXEL(pc.in0 + n * uint(COUNT)) + int(i));
        STORE4(TEXEL(pc.out0 + n * uint(OUT_STRIDE)) + int(i), v);
        return;
    }
    if (i >= uint(COUNT)) return;
    STORE(pc.out0 + n * uint(OUT_STRIDE) + i, ZERO != 0 ? real(0.0) : LOAD(pc.in0 + n * uint(COUNT) + i));
}
