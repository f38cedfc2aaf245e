#version 450
// Direct convolution on channel-packed tensors (NC4HW4 in and out) for any kernel size, stride, dilation, padding and
// group count: an implicit GEMM, one dispatch per layer. Each invocation computes PX output pixels x OC_TILE output
// channels of one group, reducing over the group's input channels at every tap; per tap and 4 input channels it
// fetches one vec4 per pixel (zero where the tap falls into the padding) and OC_TILE weight vec4s (4 output channels
// each), each feeding PX pixels: pointwise_conv_packed.comp's inner loop, run once per tap. Pixels are taken as in
// that kernel (invocation i of a workgroup of L: pixels i, i+L, ..., of the output plane), so the same per-layer
// tiling model applies (PackedPointwiseTiling) and neighbouring lanes read neighbouring texels.
// Groups whose channel counts are not whole quads (SSD's 126-channel class heads, a 3-channel stem, 10-channel
// groups) run as if padded to quads: IN_PLANAR reads a planar NCHW input 4 channels at a time (zero past the
// group's last), OUT_PLANAR writes a planar output and drops the padding channels; their weights are zero.
// Inputs and weights are texels (bindings 4 and 5): no uniform window, so no layer is split into dispatches. Weights
// are packed by Conv2dPackedKernel as [group][block of OC_TILE][ky][kx][input channel of the group][OC_TILE], the order
// the loops read them; input channels past the group's last (padding) and output channels past it are zero. The bias
// is padded the same way: GROUP_OUT_C4 quads per group.
// x = PX pixels per invocation, y = group x output block, z = batch item.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int IN_C = 4;       // per group a multiple of 4 unless IN_PLANAR
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int OUT_C = 4;      // per group a multiple of 4 unless OUT_PLANAR
layout(constant_id = 5) const int OUT_H = 1;
layout(constant_id = 6) const int OUT_W = 1;
layout(constant_id = 7) const int KH = 3;
layout(constant_id = 8) const int KW = 3;
layout(constant_id = 9) const int SH = 1;
layout(constant_id = 10) const int SW = 1;
layout(constant_id = 11) const int PAD_T = 0;     // bottom and right padding follow from the output size
layout(constant_id = 12) const int PAD_L = 0;
layout(constant_id = 13) const int DH = 1;        // dilation: taps DH rows, DW columns apart
layout(constant_id = 14) const int DW = 1;
layout(constant_id = 15) const int GROUPS = 1;
layout(constant_id = 16) const int HAS_BIAS = 0;
layout(constant_id = 17) const int ACT = 0;
layout(constant_id = 18) const int HAS_RESIDUAL = 0;
layout(constant_id = 19) const int OC_TILE = 16;  // multiple of 4
layout(constant_id = 20) const int PX = 8;
layout(constant_id = 21) const int IN_PLANAR = 0;  // 1: the input (NCHW) is read channel by channel
layout(constant_id = 22) const int OUT_PLANAR = 0; // 1: the output and residual are NCHW
// Quads per batch item of the packed tensor written (0: the output's own). Wider where the convolution writes its
// channels of a concatenation (ConcatPartWriteOp: SqueezeNet's fire modules), pc.out0 then at its first quad.
layout(constant_id = 23) const int OUT_STRIDE_C4 = 0;

const int V = OC_TILE / 4;
const int IN_HW = IN_H * IN_W;
const int OUT_HW = OUT_H * OUT_W;
const int GROUP_IN_C = IN_C / GROUPS;
const int GROUP_OUT_C = OUT_C / GROUPS;
const int GROUP_IN_C4 = (GROUP_IN_C + 3) / 4;
const int GROUP_OUT_C4 = (GROUP_OUT_C + 3) / 4;
const int BLOCKS = (GROUP_OUT_C4 + V - 1) / V; // output blocks per group

// Input channels 4 c4 .. 4 c4 + 3 of the group at pixel `at` of the plane: one texel when packed; from a planar input
// one texel fetch per element, zero past the group's last channel. Written out, not looped: NIR must still unroll the
// caller's tile loops (a loop here with a variable component index put the tile in scratch memory, 20x slower).
real planarInput(int e, int c) {
    return c < GROUP_IN_C ? real(texelFetch(actTexels, e >> 2)[e & 3]) : real(0);
}

real4 loadInput(int inBase, int c4, int at) {
    if (IN_PLANAR == 0) return LOAD4(inBase + c4 * IN_HW + at);
    int c = c4 * 4, e = inBase + c * IN_HW + at, last = inBase + (GROUP_IN_C - 1) * IN_HW + at;
    return real4(planarInput(min(e, last), c), planarInput(min(e + IN_HW, last), c + 1),
                 planarInput(min(e + 2 * IN_HW, last), c + 2), planarInput(min(e + 3 * IN_HW, last), c + 3));
}

// One planar output element: channel c of the group (none past its last), element e of the tensor.
void storePlanar(int c, uint e, real v) {
    if (c >= GROUP_OUT_C) return;
    if (HAS_RESIDUAL != 0) v += LOAD(pc.in1 + e);
    STORE(pc.out0 + e, activate(v, ACT));
}

// Stores output quad c4o of the group at pixel p with the residual added and the activation applied: one texel when
// packed; planar, only the group's real channels (written out, as loadInput).
void storeOutput(int n, int group, int c4o, int p, real4 s) {
    if (OUT_PLANAR == 0) {
        int q = group * GROUP_OUT_C4 + c4o;
        if (HAS_RESIDUAL != 0) s += LOAD4(TEXEL(pc.in1) + (n * (OUT_C / 4) + q) * OUT_HW + p);
        int sc4 = OUT_STRIDE_C4 > 0 ? OUT_STRIDE_C4 : OUT_C / 4;
        STORE4(TEXEL(pc.out0) + (n * sc4 + q) * OUT_HW + p, activate(s, ACT));
        return;
    }
    int c = c4o * 4;
    uint e = uint((n * OUT_C + group * GROUP_OUT_C + c) * OUT_HW + p);
    storePlanar(c, e, s.x);
    storePlanar(c + 1, e + uint(OUT_HW), s.y);
    storePlanar(c + 2, e + uint(2 * OUT_HW), s.z);
    storePlanar(c + 3, e + uint(3 * OUT_HW), s.w);
}

void main() {
    int L = int(gl_WorkGroupSize.x);
    int p0 = int(gl_WorkGroupID.x) * L * PX + int(gl_LocalInvocationID.x); // this invocation's first pixel; then every L-th
    int group = int(gl_WorkGroupID.y) / BLOCKS;
    int blk = int(gl_WorkGroupID.y) % BLOCKS;
    int n = int(gl_GlobalInvocationID.z);
    if (p0 >= OUT_HW) return;

    real4 acc[PX * V];
    for (int i = 0; i < PX * V; i++) acc[i] = real4(0);
#if defined(FP16_ARITH)
    // fp16 partial sums are folded into fp32 totals every 32 input channels (see pointwise_conv_tiled.comp).
    const int FOLD = 32;
    int steps = 0;
    vec4 total[PX * V];
    for (int i = 0; i < PX * V; i++) total[i] = vec4(0);
#endif
    // Each pixel's input row and column at tap (0, 0); clamped pixels keep the tail's loads in range, unstored.
    int iy0[PX], ix0[PX];
    for (int k = 0; k < PX; k++) {
        int p = min(p0 + k * L, OUT_HW - 1);
        iy0[k] = (p / OUT_W) * SH - PAD_T;
        ix0[k] = (p % OUT_W) * SW - PAD_L;
    }

    // Packed: the group's first input texel; planar: its first input element.
    int inBase = IN_PLANAR != 0 ? int(pc.in0) + (n * IN_C + group * GROUP_IN_C) * IN_HW
                                : TEXEL(pc.in0) + (n * (IN_C / 4) + group * GROUP_IN_C4) * IN_HW;
    int wBase = TEXEL(pc.weights) + (group * BLOCKS + blk) * KH * KW * GROUP_IN_C4 * 4 * V;
    for (int ky = 0; ky < KH; ky++)
        for (int kx = 0; kx < KW; kx++) {
            // The tap's input pixel of each output pixel, once for all input channels; outside the image it reads
            // pixel 0 and counts zero (the padding).
            int at[PX];
            bool inside[PX];
            for (int k = 0; k < PX; k++) {
                int iy = iy0[k] + ky * DH, ix = ix0[k] + kx * DW;
                inside[k] = uint(iy) < uint(IN_H) && uint(ix) < uint(IN_W);
                at[k] = inside[k] ? iy * IN_W + ix : 0;
            }
            int wTap = wBase + (ky * KW + kx) * GROUP_IN_C4 * 4 * V;
            for (int c4 = 0; c4 < GROUP_IN_C4; c4++) {
                real4 x[PX];
                for (int k = 0; k < PX; k++) {
                    real4 t = loadInput(inBase, c4, at[k]);
                    x[k] = inside[k] ? t : real4(0);
                }
                // All the weight texels of these 4 input channels first, then pixel by pixel (as pointwise_conv_packed).
                real4 w[4 * V];
                for (int i = 0; i < 4 * V; i++) w[i] = W4(wTap + c4 * 4 * V + i);
                for (int k = 0; k < PX; k++)
                    for (int v = 0; v < V; v++)
                        for (int j = 0; j < 4; j++) acc[k * V + v] = fma(w[j * V + v], real4(x[k][j]), acc[k * V + v]);
#if defined(FP16_ARITH)
                if (++steps % (FOLD / 4) == 0)
                    for (int i = 0; i < PX * V; i++) { total[i] += vec4(acc[i]); acc[i] = real4(0); }
#endif
            }
        }
#if defined(FP16_ARITH)
    for (int i = 0; i < PX * V; i++) total[i] += vec4(acc[i]);
#define TILE_SUM(i) real4(total[i])
#else
#define TILE_SUM(i) acc[i]
#endif

    for (int v = 0; v < V; v++) {
        int c4o = blk * V + v;
        if (c4o >= GROUP_OUT_C4) break;
        real4 b = HAS_BIAS != 0 ? W4(TEXEL(pc.bias) + group * GROUP_OUT_C4 + c4o) : real4(0);
        for (int k = 0; k < PX; k++) {
            int p = p0 + k * L;
            if (p >= OUT_HW) break;
            storeOutput(n, group, c4o, p, TILE_SUM(k * V + v) + b);
        }
    }
}
