#version 450
// Local response normalisation across channels: y = x * (BIAS + ALPHA / SIZE * sum of x^2 over the SIZE channels
// centred on x's, clipped at the edges)^-BETA. x = element within a sample, y = batch item. Sums in fp32.
#define FP32_SUMS
#include "common.glsl"

layout(constant_id = 1) const int CHANNELS = 1;
layout(constant_id = 2) const int PLANE = 1;
layout(constant_id = 3) const int SIZE = 5;
layout(constant_id = 4) const float ALPHA = 1.0;
layout(constant_id = 5) const float BETA = 0.75;
layout(constant_id = 6) const float BIAS = 1.0;

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= uint(CHANNELS * PLANE)) return;
    int c = int(i) / PLANE, p = int(i) % PLANE;
    uint first = pc.in0 + gl_GlobalInvocationID.y * uint(CHANNELS * PLANE);
    float sum = 0.0;
    for (int k = max(c - SIZE / 2, 0); k <= min(c + SIZE / 2, CHANNELS - 1); k++) {
        float v = float(act[first + uint(k * PLANE + p)]);
        sum += v * v;
    }
    float x = float(act[first + i]);
    STORE(pc.out0 + gl_GlobalInvocationID.y * uint(CHANNELS * PLANE) + i, x * pow(BIAS + ALPHA / float(SIZE) * sum, -BETA));
}
