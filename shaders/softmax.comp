#version 450
// Softmax over C values per batch item, max-subtracted for stability. One workgroup per batch item:
// each invocation handles a strided slice; shared memory combines max and sum.
#include "common.glsl"

layout(constant_id = 1) const int C = 1;

shared float partial[gl_WorkGroupSize.x];

void main() {
    uint lane = gl_LocalInvocationID.x;
    uint n = gl_WorkGroupID.x;
    uint base = pc.in0 + n * uint(C);
    uint outBase = pc.out0 + n * uint(C);

    float m = -3.402823e38;
    for (uint i = lane; i < uint(C); i += gl_WorkGroupSize.x) m = max(m, float(act[base + i]));
    partial[lane] = m;
    barrier();
    for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
        if (lane < s) partial[lane] = max(partial[lane], partial[lane + s]);
        barrier();
    }
    m = partial[0];
    barrier();

    float sum = 0.0;
    for (uint i = lane; i < uint(C); i += gl_WorkGroupSize.x) sum += exp(float(act[base + i]) - m);
    partial[lane] = sum;
    barrier();
    for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
        if (lane < s) partial[lane] += partial[lane + s];
        barrier();
    }
    float total = partial[0];
    for (uint i = lane; i < uint(C); i += gl_WorkGroupSize.x) STORE(outBase + i, exp(float(act[base + i]) - m) / total);
}
