#version 450
// 1x1 convolution (a GEMM: out[co, p] = sum_ci w[co, ci] * in[ci, p]) with fused bias, activation and
// optional residual add. Each invocation computes OC_TILE output channels of one pixel so every input
// load feeds OC_TILE multiply-adds. x = pixel, y = block of OC_TILE output channels, z = batch item.
#include "common.glsl"

layout(constant_id = 1) const int IN_C = 1;
layout(constant_id = 2) const int OUT_C = 1;
layout(constant_id = 3) const int HW = 1;
layout(constant_id = 4) const int HAS_BIAS = 0;
layout(constant_id = 5) const int ACT = 0;
layout(constant_id = 6) const int HAS_RESIDUAL = 0;
layout(constant_id = 7) const int OC_TILE = 4;

void main() {
    int p = int(gl_GlobalInvocationID.x);
    int co0 = int(gl_GlobalInvocationID.y) * OC_TILE;
    int n = int(gl_GlobalInvocationID.z);
    if (p >= HW) return;

    real sum[OC_TILE];
    for (int j = 0; j < OC_TILE; j++) sum[j] = real(0);
    uint inBase = pc.in0 + uint(n * IN_C * HW + p);
    for (int ci = 0; ci < IN_C; ci++) {
        real x = LOAD(inBase + uint(ci * HW));
        for (int j = 0; j < OC_TILE; j++) {
            int co = min(co0 + j, OUT_C - 1); // clamp keeps loads in range; extra lanes are not stored
            sum[j] = fma(W(pc.weights + uint(co * IN_C + ci)), x, sum[j]);
        }
    }
    for (int j = 0; j < OC_TILE; j++) {
        int co = co0 + j;
        if (co >= OUT_C) break;
        real v = sum[j] + (HAS_BIAS != 0 ? W(pc.bias + co) : real(0));
        uint o = uint((n * OUT_C + co) * HW + p);
        if (HAS_RESIDUAL != 0) v += LOAD(pc.in1 + o);
        STORE(pc.out0 + o, activate(v, ACT));
    }
}
