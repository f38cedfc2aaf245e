#version 450
// Element-wise sum of two tensors with an optional activation. x = element (VEC4: vec4) within a sample, y = batch item.
// VEC4 where every tensor starts on a vec4 and a sample is whole vec4s (any layout: the sum is element by element): one
// texel gather per addend instead of a storage-buffer load per float, which lavapipe runs lane by lane.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int COUNT = 1;     // elements per sample
layout(constant_id = 2) const int ACT = 0;
layout(constant_id = 3) const int VEC4 = 0;      // 1: COUNT and every offset are multiples of 4

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (VEC4 != 0) {
        if (i >= uint(COUNT / 4)) return;
        int o = int(gl_GlobalInvocationID.y) * (COUNT / 4) + int(i);
        STORE4(TEXEL(pc.out0) + o, activate(LOAD4(TEXEL(pc.in0) + o) + LOAD4(TEXEL(pc.in1) + o), ACT));
        return;
    }
    if (i >= uint(COUNT)) return;
    uint o = gl_GlobalInvocationID.y * uint(COUNT) + i;
    STORE(pc.out0 + o, activate(LOAD(pc.in0 + o) + LOAD(pc.in1 + o), ACT));
}
