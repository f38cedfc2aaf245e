#version 450
// Fast 1x1 convolution: each invocation computes PX consecutive pixels x OC_TILE output channels, so every
// input value loaded feeds OC_TILE multiply-adds and every weight vec4 feeds PX. Weights come from the
// uniform window (binding 2), repacked by PointwiseConvTiledKernel as [block][ci][OC_TILE]: on CPU Vulkan
// (lavapipe) uniform loads are broadcasts while storage loads are per-lane gathers. A layer whose weights
// exceed one window is split into dispatches, by output-channel blocks (pc.aux0 = first output channel) and,
// for small images, also by input channels (split-K: pc.aux1 = first input channel, CI_CHUNK of them): the
// FIRST part writes its partial sum + bias + residual, later parts add theirs, the LAST applies the activation.
// x = group of PX pixels, y = block of OC_TILE output channels within the dispatch, z = batch item.
#include "common.glsl"

layout(constant_id = 1) const int IN_C = 1;
layout(constant_id = 2) const int OUT_C = 1;
layout(constant_id = 3) const int HW = 1;
layout(constant_id = 4) const int HAS_BIAS = 0;
layout(constant_id = 5) const int ACT = 0;
layout(constant_id = 6) const int HAS_RESIDUAL = 0;
layout(constant_id = 7) const int OC_TILE = 16; // multiple of 4
layout(constant_id = 8) const int PX = 4;
layout(constant_id = 9) const int CI_CHUNK = 1;  // input channels this dispatch sums over
layout(constant_id = 10) const int FIRST = 1;
layout(constant_id = 11) const int LAST = 1;

layout(std140, binding = 2) uniform WeightWindow { vec4 wv[4096]; };

// The arena seen as vec4s: when a row of pixels is a whole number of vec4s, an invocation's 4 pixels are one load.
#if defined(FP16_STORAGE)
layout(std430, binding = 0) readonly buffer ActivationsV4 { f16vec4 act4[]; };
#else
layout(std430, binding = 0) readonly buffer ActivationsV4 { vec4 act4[]; };
#endif
const bool VEC4_ROWS = PX == 4 ? HW % 4 == 0 : false;

const int V = OC_TILE / 4;

void main() {
    int p0 = int(gl_GlobalInvocationID.x) * PX;
    int blk = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p0 >= HW) return;

    real4 acc[PX * V];
    for (int i = 0; i < PX * V; i++) acc[i] = real4(0);
#if defined(FP16_ARITH)
    // fp16 partial sums are folded into fp32 totals every FOLD input channels: an fp16 sum of hundreds of
    // terms drifts by a few percent, a sum of 32 by well under one.
    const int FOLD = 32;
    vec4 total[PX * V];
    for (int i = 0; i < PX * V; i++) total[i] = vec4(0);
#endif
    // Clamped pixel indices keep the tail's loads in range; their results are not stored.
    uint pix[PX];
    for (int k = 0; k < PX; k++) pix[k] = uint(min(p0 + k, HW - 1));

    uint inBase = pc.in0 + uint((n * IN_C + int(pc.aux1)) * HW);
    int wBase = blk * CI_CHUNK * V;
    for (int ci = 0; ci < CI_CHUNK; ci++) {
        real x[PX];
        uint row = inBase + uint(ci * HW);
        if (VEC4_ROWS) {
            real4 x4 = real4(act4[(row + uint(p0)) >> 2]);
            for (int k = 0; k < PX; k++) x[k] = x4[k % 4];
        } else {
            for (int k = 0; k < PX; k++) x[k] = LOAD(row + pix[k]);
        }
        for (int v = 0; v < V; v++) {
            real4 w = real4(wv[wBase + ci * V + v]);
            for (int k = 0; k < PX; k++) acc[k * V + v] = fma(w, real4(x[k]), acc[k * V + v]);
        }
#if defined(FP16_ARITH)
        if (ci % FOLD == FOLD - 1)
            for (int i = 0; i < PX * V; i++) { total[i] += vec4(acc[i]); acc[i] = real4(0); }
#endif
    }
#if defined(FP16_ARITH)
    for (int i = 0; i < PX * V; i++) total[i] += vec4(acc[i]);
#endif

    int co0 = int(pc.aux0) + blk * OC_TILE;
#if defined(FP16_ARITH)
#define TILE_SUM(i) total[i]
#else
#define TILE_SUM(i) acc[i]
#endif
#include "pointwise_tile_store.glsl"
}
