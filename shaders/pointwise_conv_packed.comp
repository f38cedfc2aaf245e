#version 450
// 1x1 convolution on channel-packed tensors (NC4HW4: the 4 channels 4k..4k+3 of a pixel are one vec4). Same
// tiling, weight layout and dispatch split as pointwise_conv_tiled.comp (PointwiseConvPackedKernel reuses its
// plan): each invocation computes PX pixels x OC_TILE output channels. Per 4 input channels it loads one vec4
// per pixel; a workgroup of L invocations covers L*PX pixels with invocation i taking pixels i, i+L, i+2L, ..., so
// at every load neighbouring invocations read neighbouring vec4s (one coalesced 16-byte load per lane on a GPU;
// the same speed as consecutive pixels per invocation on lavapipe). Each weight vec4 (4 output channels of one
// input channel, from the uniform window) feeds PX pixels; the sums of 4 consecutive output channels of a pixel
// are stored as one vec4. pc.aux0 = first output channel of the dispatch, pc.aux1 = first input channel (a
// multiple of 4); FIRST / LAST as in pointwise_conv_tiled.comp.
// x = PX pixels per invocation, y = block of OC_TILE output channels within the dispatch, z = batch item.
#include "common.glsl"

layout(constant_id = 1) const int IN_C = 4;      // multiple of 4
layout(constant_id = 2) const int OUT_C = 4;     // multiple of 4
layout(constant_id = 3) const int HW = 1;
layout(constant_id = 4) const int HAS_BIAS = 0;
layout(constant_id = 5) const int ACT = 0;
layout(constant_id = 6) const int HAS_RESIDUAL = 0;
layout(constant_id = 7) const int OC_TILE = 16;  // multiple of 4
layout(constant_id = 8) const int PX = 4;
layout(constant_id = 9) const int CI_CHUNK = 4;  // input channels this dispatch sums over, a multiple of 4
layout(constant_id = 10) const int FIRST = 1;
layout(constant_id = 11) const int LAST = 1;

layout(std140, binding = 2) uniform WeightWindow { vec4 wv[4096]; };

// The arena as vec4s (offsets are multiples of 16 elements, so every packed tensor starts on a vec4).
#if defined(FP16_STORAGE)
layout(std430, binding = 0) buffer ActivationsV4 { f16vec4 act4[]; };
#define STORE4(i, v) act4[i] = f16vec4(v)
#else
layout(std430, binding = 0) buffer ActivationsV4 { vec4 act4[]; };
#define STORE4(i, v) act4[i] = vec4(v)
#endif

const int V = OC_TILE / 4;
const int IN_C4 = IN_C / 4;
const int OUT_C4 = OUT_C / 4;

void main() {
    int L = int(gl_WorkGroupSize.x);
    int p0 = int(gl_WorkGroupID.x) * L * PX + int(gl_LocalInvocationID.x); // this invocation's first pixel; then every L-th
    int blk = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p0 >= HW) return;

    real4 acc[PX * V];
    for (int i = 0; i < PX * V; i++) acc[i] = real4(0);
#if defined(FP16_ARITH)
    // fp16 partial sums are folded into fp32 totals every FOLD input channels (see pointwise_conv_tiled.comp).
    const int FOLD = 32;
    vec4 total[PX * V];
    for (int i = 0; i < PX * V; i++) total[i] = vec4(0);
#endif
    // Clamped pixel indices keep the tail's loads in range; their results are not stored.
    uint pix[PX];
    for (int k = 0; k < PX; k++) pix[k] = uint(min(p0 + k * L, HW - 1));

    uint inBase = (pc.in0 >> 2) + uint((n * IN_C4 + int(pc.aux1) / 4) * HW);
    int wBase = blk * CI_CHUNK * V;
    for (int c4 = 0; c4 < CI_CHUNK / 4; c4++) {
        real4 x[PX];
        uint row = inBase + uint(c4 * HW);
        for (int k = 0; k < PX; k++) x[k] = real4(act4[row + pix[k]]);
        for (int j = 0; j < 4; j++)
            for (int v = 0; v < V; v++) {
                real4 w = real4(wv[wBase + (c4 * 4 + j) * V + v]);
                for (int k = 0; k < PX; k++) acc[k * V + v] = fma(w, real4(x[k][j]), acc[k * V + v]);
            }
#if defined(FP16_ARITH)
        if (c4 % (FOLD / 4) == FOLD / 4 - 1)
            for (int i = 0; i < PX * V; i++) { total[i] += vec4(acc[i]); acc[i] = real4(0); }
#endif
    }
#if defined(FP16_ARITH)
    for (int i = 0; i < PX * V; i++) total[i] += vec4(acc[i]);
#define TILE_SUM(i) real4(total[i])
#else
#define TILE_SUM(i) acc[i]
#endif

    int c4o0 = (int(pc.aux0) + blk * OC_TILE) / 4;
    bool needPrior = FIRST == 0 || HAS_RESIDUAL != 0;
    for (int v = 0; v < V; v++) {
        int c4o = c4o0 + v;
        if (c4o >= OUT_C4) break;
        uint co = uint(c4o * 4);
        real4 b = HAS_BIAS != 0 && FIRST != 0
            ? real4(W(pc.bias + co), W(pc.bias + co + 1u), W(pc.bias + co + 2u), W(pc.bias + co + 3u)) : real4(0);
        uint o = (pc.out0 >> 2) + uint((n * OUT_C4 + c4o) * HW);
        // The first part adds the residual, later parts the partial sums the earlier ones stored.
        uint from = FIRST != 0 ? (pc.in1 >> 2) + uint((n * OUT_C4 + c4o) * HW) : o;
        for (int k = 0; k < PX; k++) {
            if (p0 + k * L >= HW) break;
            real4 s = TILE_SUM(k * V + v) + b;
            if (needPrior) s += real4(act4[from + uint(p0 + k * L)]);
            STORE4(o + uint(p0 + k * L), LAST != 0 ? activate(s, ACT) : s);
        }
    }
}
