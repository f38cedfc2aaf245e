#version 450
// 1x1 convolution that shares weights across a subgroup instead of loading them per invocation: the same
// register tile as pointwise_conv_tiled.comp (PX pixels x OC_TILE output channels per invocation), but for each
// block of 8 input channels, lane j of the subgroup loads the OC_TILE weights of channel j only and the others
// take them with subgroupBroadcast. On lavapipe a weight load whose address is not a compile-time uniform is an
// 8-lane gather, while a broadcast is one register shuffle; on GPUs it cuts uniform/L1 traffic 8x.
// Needs a subgroup of at least 8 invocations with ballot operations (KernelContext checks); all invocations
// stay active to the end (tail pixels are clamped, not returned), as a broadcast reads other lanes.
// Weights, split into dispatches and repacked exactly as for pointwise_conv_tiled.comp ([block][ci][OC_TILE]).
#extension GL_KHR_shader_subgroup_ballot : require
#include "common.glsl"

layout(constant_id = 1) const int IN_C = 1;
layout(constant_id = 2) const int OUT_C = 1;
layout(constant_id = 3) const int HW = 1;
layout(constant_id = 4) const int HAS_BIAS = 0;
layout(constant_id = 5) const int ACT = 0;
layout(constant_id = 6) const int HAS_RESIDUAL = 0;
layout(constant_id = 7) const int OC_TILE = 16; // multiple of 4
layout(constant_id = 8) const int PX = 4;
layout(constant_id = 9) const int CI_CHUNK = 1;
layout(constant_id = 10) const int FIRST = 1;
layout(constant_id = 11) const int LAST = 1;

layout(std140, binding = 2) uniform WeightWindow { vec4 wv[4096]; };

#if defined(FP16_STORAGE)
layout(std430, binding = 0) readonly buffer ActivationsV4 { f16vec4 act4[]; };
#else
layout(std430, binding = 0) readonly buffer ActivationsV4 { vec4 act4[]; };
#endif
const bool VEC4_ROWS = PX == 4 ? HW % 4 == 0 : false;
const int V = OC_TILE / 4;
const int LANES = 8; // input channels per shared block

void main() {
    int p0 = int(gl_GlobalInvocationID.x) * PX;
    int blk = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    // Invocations past the image's end compute a clamped copy of the last group and store nothing.
    int pc0 = min(p0, ((HW - 1) / PX) * PX);

    real4 acc[PX * V];
    for (int i = 0; i < PX * V; i++) acc[i] = real4(0);
#if defined(FP16_ARITH)
    const int FOLD = 32;
    vec4 total[PX * V];
    for (int i = 0; i < PX * V; i++) total[i] = vec4(0);
#endif
    uint pix[PX];
    for (int k = 0; k < PX; k++) pix[k] = uint(min(pc0 + k, HW - 1));

    uint inBase = pc.in0 + uint((n * IN_C + int(pc.aux1)) * HW);
    int wBase = blk * CI_CHUNK * V;
    int lane = int(gl_SubgroupInvocationID % uint(LANES));
    for (int cb = 0; cb < CI_CHUNK; cb += LANES) {
        // This lane's share of the block: the weights of input channel cb + lane (clamped in a short tail).
        int mine = min(cb + lane, CI_CHUNK - 1);
        vec4 wl[V];
        for (int v = 0; v < V; v++) wl[v] = wv[wBase + mine * V + v];
#define STEP(j) \
        if (cb + j < CI_CHUNK) { \
            real x[PX]; \
            uint row = inBase + uint((cb + j) * HW); \
            if (VEC4_ROWS) { \
                real4 x4 = real4(act4[(row + uint(pc0)) >> 2]); \
                for (int k = 0; k < PX; k++) x[k] = x4[k % 4]; \
            } else { \
                for (int k = 0; k < PX; k++) x[k] = LOAD(row + pix[k]); \
            } \
            for (int v = 0; v < V; v++) { \
                real4 w = real4(subgroupBroadcast(wl[v], j)); \
                for (int k = 0; k < PX; k++) acc[k * V + v] = fma(w, real4(x[k]), acc[k * V + v]); \
            } \
        }
        STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5) STEP(6) STEP(7)
#undef STEP
#if defined(FP16_ARITH)
        if (cb % FOLD == FOLD - LANES)
            for (int i = 0; i < PX * V; i++) { total[i] += vec4(acc[i]); acc[i] = real4(0); }
#endif
    }
#if defined(FP16_ARITH)
    for (int i = 0; i < PX * V; i++) total[i] += vec4(acc[i]);
#endif
    if (p0 >= HW) return;

    int co0 = int(pc.aux0) + blk * OC_TILE;
#if defined(FP16_ARITH)
#define TILE_SUM(i) total[i]
#else
#define TILE_SUM(i) acc[i]
#endif
#include "pointwise_tile_store.glsl"
}
