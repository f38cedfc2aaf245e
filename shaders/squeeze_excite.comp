#version 450
// A squeeze-and-excite gate in one dispatch: global average pool of an NC4HW4 tensor -> 1x1 conv (C -> S) + ACT1 ->
// 1x1 conv (S -> C) + ACT2, written as C x 1 x 1 per batch item (the same bytes as NC4HW4, C a multiple of 4). One
// workgroup per batch item keeps the pooled and squeezed vectors in shared memory between the three steps; as three
// dispatches (pool, two matrix-vector products) each step paid lavapipe's per-dispatch cost and a barrier, ~0.4 ms a
// gate on MobileNetV3-Large, for ~0.5 M multiply-adds. Weights: squeeze [S][C] at pc.weights, its bias at pc.bias,
// excite [C][S] at pc.aux0, its bias at pc.aux1 (FuseSqueezeExcite / SqueezeExciteKernel).
// x: the workgroup's invocations share the channels; z = batch item.
#define FP32_SUMS
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int C = 4;         // channels of the input and the gate (multiple of 4)
layout(constant_id = 2) const int HW = 1;        // pixels pooled
layout(constant_id = 3) const int S = 1;         // squeezed channels
layout(constant_id = 4) const int HAS_BIAS1 = 0;
layout(constant_id = 5) const int ACT1 = 0;
layout(constant_id = 6) const int HAS_BIAS2 = 0;
layout(constant_id = 7) const int ACT2 = 0;

const int C4 = C / 4;
// Excite rows are S floats; where S is a multiple of 4 they start on a texel and are read as vec4s.
const bool EXCITE_VEC4 = S % 4 == 0;

shared vec4 pooled[C4];
shared float squeezed[S];

void main() {
    int L = int(gl_WorkGroupSize.x);
    int t = int(gl_LocalInvocationID.x);
    int n = int(gl_WorkGroupID.z);

    // Pool: one channel quad per invocation at a time, one texel per pixel.
    int inBase = TEXEL(pc.in0) + n * C4 * HW;
    for (int q = t; q < C4; q += L) {
        vec4 sum = vec4(0);
        for (int i = 0; i < HW; i++) sum += LOAD4(inBase + q * HW + i);
        pooled[q] = sum / float(HW);
    }
    barrier();

    // Squeeze: S dot products of length C, each row read as texels.
    for (int s = t; s < S; s += L) {
        vec4 acc = vec4(0);
        int row = TEXEL(pc.weights) + s * C4;
        for (int q = 0; q < C4; q++) acc = fma(W4(row + q), pooled[q], acc);
        float v = (acc.x + acc.y) + (acc.z + acc.w);
        if (HAS_BIAS1 != 0) v += W(pc.bias + uint(s));
        squeezed[s] = activate(v, ACT1);
    }
    barrier();

    // Excite: C dot products of length S.
    for (int c = t; c < C; c += L) {
        float v = 0.0;
        if (EXCITE_VEC4) {
            vec4 acc = vec4(0);
            int row = TEXEL(pc.aux0) + c * (S / 4);
            for (int j = 0; j < S / 4; j++)
                acc = fma(W4(row + j), vec4(squeezed[4 * j], squeezed[4 * j + 1], squeezed[4 * j + 2], squeezed[4 * j + 3]), acc);
            v = (acc.x + acc.y) + (acc.z + acc.w);
        } else {
            uint row = pc.aux0 + uint(c * S);
            for (int j = 0; j < S; j++) v = fma(W(row + uint(j)), squeezed[j], v);
        }
        if (HAS_BIAS2 != 0) v += W(pc.aux1 + uint(c));
        STORE(pc.out0 + uint(n * C + c), activate(v, ACT2));
    }
}
