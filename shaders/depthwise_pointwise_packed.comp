#version 450
// A depthwise KHxKW convolution (its bias and activation) and the 1x1 convolution that alone reads it (bias,
// activation, residual) as one dispatch on channel-packed tensors (NC4HW4): the depthwise values never go to memory.
// Each invocation computes PX consecutive output pixels of one row x OC_TILE output channels (V quads). Per quad of
// the depthwise channels it computes those pixels' depthwise values in registers (loading each input texel of the row
// span once, as depthwise_conv_packed does) and multiplies them into its 1x1 tile (as pointwise_conv_packed does), so
// the depthwise work is repeated once per block of OC_TILE output channels: the planner fuses only where there are
// few blocks (DepthwisePointwisePackedKernel). No shared memory: barriers are costly on lavapipe.
// Weights (DepthwisePointwisePackedKernel.Pack): at pc.weights the depthwise filters, KH*KW+1 vec4s per quad (taps,
// then the bias); at pc.aux0 the 1x1's as [block of OC_TILE][C][OC_TILE]; at pc.bias the 1x1's bias.
// x = (output row, group of PX columns), y = block of OC_TILE output channels, z = batch item.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int C = 4;        // depthwise channels (the 1x1's input), multiple of 4
layout(constant_id = 2) const int OUT_C = 4;    // the 1x1's output channels, multiple of 4
layout(constant_id = 3) const int IN_H = 1;
layout(constant_id = 4) const int IN_W = 1;
layout(constant_id = 5) const int OUT_H = 1;
layout(constant_id = 6) const int OUT_W = 1;
layout(constant_id = 7) const int KH = 3;
layout(constant_id = 8) const int KW = 3;
layout(constant_id = 9) const int SH = 1;
layout(constant_id = 10) const int SW = 1;
layout(constant_id = 11) const int PAD_T = 0;
layout(constant_id = 12) const int PAD_L = 0;
layout(constant_id = 13) const int DW_ACT = 0;
layout(constant_id = 14) const int HAS_BIAS = 0;
layout(constant_id = 15) const int ACT = 0;
layout(constant_id = 16) const int HAS_RESIDUAL = 0;
layout(constant_id = 17) const int OC_TILE = 8;  // multiple of 4
layout(constant_id = 18) const int PX = 4;

const int TAPS = KH * KW;
const int SPAN = (PX - 1) * SW + KW; // input columns one row of PX outputs touches
const int GROUPS_PER_ROW = (OUT_W + PX - 1) / PX;
const int C4 = C / 4;
const int OUT_C4 = OUT_C / 4;
const int V = OC_TILE / 4;

// The depthwise sums (fp32 in every variant, as depthwise_conv_packed's) of PX outputs of one row for one channel
// quad, whose input plane starts at texel `plane` and filters at texel `wb`; iy0, ix0: the window's top-left input.
void depthwise(int plane, int wb, int iy0, int ix0, out vec4 d[PX]) {
    vec4 bias = texelFetch(weightTexels, wb + TAPS);
    for (int k = 0; k < PX; k++) d[k] = bias;
    for (int ky = 0; ky < KH; ky++) {
        int iy = iy0 + ky;
        if (iy < 0 || iy >= IN_H) continue;
        int row = plane + iy * IN_W;
        vec4 span[SPAN];
        for (int s = 0; s < SPAN; s++) {
            int ix = ix0 + s;
            vec4 x = texelFetch(actTexels, row + clamp(ix, 0, IN_W - 1)); // a clamped load and a select: no branch per lane
            span[s] = ix >= 0 && ix < IN_W ? x : vec4(0);
        }
        for (int kx = 0; kx < KW; kx++) {
            vec4 w = texelFetch(weightTexels, wb + ky * KW + kx);
            for (int k = 0; k < PX; k++) d[k] = fma(span[k * SW + kx], w, d[k]);
        }
    }
}

void main() {
    int g = int(gl_GlobalInvocationID.x);
    int blk = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (g >= OUT_H * GROUPS_PER_ROW) return;
    int oy = g / GROUPS_PER_ROW;
    int ox0 = (g % GROUPS_PER_ROW) * PX;
    int iy0 = oy * SH - PAD_T, ix0 = ox0 * SW - PAD_L;

    real4 acc[PX * V];
    for (int i = 0; i < PX * V; i++) acc[i] = real4(0);
#if defined(FP16_ARITH)
    // fp16 partial sums are folded into fp32 totals every FOLD input channels (see pointwise_conv_tiled.comp).
    const int FOLD = 32;
    vec4 total[PX * V];
    for (int i = 0; i < PX * V; i++) total[i] = vec4(0);
#endif
    int inBase = TEXEL(pc.in0) + n * C4 * IN_H * IN_W;
    int wBase = TEXEL(pc.aux0) + blk * C * V;
    for (int c4 = 0; c4 < C4; c4++) {
        vec4 d[PX];
        depthwise(inBase + c4 * IN_H * IN_W, TEXEL(pc.weights) + c4 * (TAPS + 1), iy0, ix0, d);
        real4 x[PX];
        for (int k = 0; k < PX; k++) x[k] = activate(real4(d[k]), DW_ACT);
        // As pointwise_conv_packed: the weight texels of these 4 channels first, then pixel by pixel.
        real4 w[4 * V];
        for (int i = 0; i < 4 * V; i++) w[i] = W4(wBase + c4 * 4 * V + i);
        for (int k = 0; k < PX; k++)
            for (int v = 0; v < V; v++)
                for (int j = 0; j < 4; j++) acc[k * V + v] = fma(w[j * V + v], real4(x[k][j]), acc[k * V + v]);
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

    for (int v = 0; v < V; v++) {
        int c4o = blk * V + v;
        if (c4o >= OUT_C4) break;
        real4 b = HAS_BIAS != 0 ? W4(TEXEL(pc.bias) + c4o) : real4(0);
        int o = (n * OUT_C4 + c4o) * OUT_H * OUT_W + oy * OUT_W;
        for (int k = 0; k < PX; k++) {
            int ox = ox0 + k;
            if (ox >= OUT_W) break;
            real4 s = TILE_SUM(k * V + v) + b;
            if (HAS_RESIDUAL != 0) s += LOAD4(TEXEL(pc.in1) + o + ox);
            STORE4(TEXEL(pc.out0) + o + ox, activate(s, ACT));
        }
    }
}
