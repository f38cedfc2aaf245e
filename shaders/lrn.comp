#version 450
// Local response normalisation across channels: y = x * (BIAS + ALPHA / SIZE * sum of x^2 over the SIZE channels
// centred on x's, clipped at the edges)^-BETA. x = element within a sample, y = batch item. Sums in fp32. PACKED: the
// tensors are NC4HW4 (channels a multiple of 4; element i of a sample is channel 4 (i / 4 / PLANE) + i % 4 of pixel
// i / 4 % PLANE), so LRN between packed layers needs no layout conversion.
#define FP32_SUMS
#include "common.glsl"

layout(constant_id = 1) const int CHANNELS = 1;
layout(constant_id = 2) const int PLANE = 1;
layout(constant_id = 3) const int SIZE = 5;
layout(constant_id = 4) const float ALPHA = 1.0;
layout(constant_id = 5) const float BETA = 0.75;
layout(constant_id = 6) const float BIAS = 1.0;
layout(constant_id = 7) const int PACKED = 0;

// The element of channel k at pixel p within a sample.
uint at(int k, int p) {
    return PACKED != 0 ? uint(((k / 4) * PLANE + p) * 4 + k % 4) : uint(k * PLANE + p);
}

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= uint(CHANNELS * PLANE)) return;
    int c = PACKED != 0 ? int(i) / (4 * PLANE) * 4 + int(i) % 4 : int(i) / PLANE;
    int p = PACKED != 0 ? int(i) / 4 % PLANE : int(i) % PLANE;
    uint first = pc.in0 + gl_GlobalInvocationID.y * uint(CHANNELS * PLANE);
    float sum = 0.0;
    for (int k = max(c - SIZE / 2, 0); k <= min(c + SIZE / 2, CHANNELS - 1); k++) {
        float v = float(act[first + at(k, p)]);
        sum += v * v;
    }
    float x = float(act[first + i]);
    STORE(pc.out0 + gl_GlobalInvocationID.y * uint(CHANNELS * PLANE) + i, x * pow(BIAS + ALPHA / float(SIZE) * sum, -BETA));
}
