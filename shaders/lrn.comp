#version 450
// Local response normalisation across channels: y = x * (BIAS + ALPHA / SIZE * sum of x^2 over the SIZE channels
// centred on x's, clipped at the edges)^-BETA. Planar: x = element within a sample, y = batch item. PACKED (NC4HW4,
// channels a multiple of 4): x = pixel + PLANE * quad, one invocation per pixel and channel quad, reading the
// window's channels as texels of that pixel (neighbouring lanes: neighbouring pixels, the same channels), so LRN
// between packed layers needs no layout conversion. Sums in fp32.
#extension GL_EXT_control_flow_attributes : require
#define FP32_SUMS
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int CHANNELS = 1;
layout(constant_id = 2) const int PLANE = 1;
layout(constant_id = 3) const int SIZE = 5;
layout(constant_id = 4) const float ALPHA = 1.0;
layout(constant_id = 5) const float BETA = 0.75;
layout(constant_id = 6) const float BIAS = 1.0;
layout(constant_id = 7) const int PACKED = 0;

float normalised(float x, float sum) {
    return x * pow(BIAS + ALPHA / float(SIZE) * sum, -BETA);
}

void planar() {
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
    STORE(pc.out0 + gl_GlobalInvocationID.y * uint(CHANNELS * PLANE) + i, normalised(x, sum));
}

// Quads either side of a channel quad that a window of SIZE channels reaches; up to 2 (SIZE <= 17, LRN as CNNs use it)
// the window's squares come from 2 NEAR + 1 texels fetched once, in registers; wider windows (a taught model's L2
// normalisation spans every channel) loop over the channels. Per-channel texel loads with a variable component (the
// wide form) ran GoogLeNet's norm2 at 192 channels 10x slower than its norm1 at 64 on lavapipe.
const int NEAR = (SIZE / 2 + 3) / 4;

void packed() {
    int i = int(gl_GlobalInvocationID.x);
    if (i >= CHANNELS / 4 * PLANE) return;
    int q = i / PLANE, p = i % PLANE;
    int item = int(gl_GlobalInvocationID.y) * (CHANNELS / 4) * PLANE;
    int first = TEXEL(pc.in0) + item + p; // the pixel's first quad
    vec4 x = texelFetch(actTexels, first + q * PLANE);
    vec4 y;
    if (NEAR <= 2) {
        // Squares of channels 4 (q - NEAR) .. 4 (q + NEAR) + 3, zero past the edges (C is whole quads, so a channel
        // outside the tensor is a quad outside it): the clipped window's sum.
        float sq[4 * 5];
        [[unroll]] for (int d = -2; d <= 2; d++) {
            if (d < -NEAR || d > NEAR) continue;
            int qq = q + d;
            vec4 v = qq >= 0 && qq < CHANNELS / 4 ? texelFetch(actTexels, first + qq * PLANE) : vec4(0);
            v *= v;
            [[unroll]] for (int j = 0; j < 4; j++) sq[(d + 2) * 4 + j] = v[j];
        }
        [[unroll]] for (int j = 0; j < 4; j++) {
            float sum = 0.0;
            [[unroll]] for (int k = -SIZE / 2; k <= SIZE / 2; k++) sum += sq[8 + j + k];
            y[j] = normalised(x[j], sum);
        }
    } else {
        for (int j = 0; j < 4; j++) {
            int c = 4 * q + j;
            float sum = 0.0;
            for (int k = max(c - SIZE / 2, 0); k <= min(c + SIZE / 2, CHANNELS - 1); k++) {
                float v = texelFetch(actTexels, first + (k >> 2) * PLANE)[k & 3];
                sum += v * v;
            }
            y[j] = normalised(x[j], sum);
        }
    }
    STORE4(TEXEL(pc.out0) + item + i, y);
}

void main() {
    if (PACKED != 0) packed();
    else planar();
}
