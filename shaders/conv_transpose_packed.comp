#version 450
// Transposed convolution (ONNX ConvTranspose) on channel-packed tensors as an implicit GEMM, for any kernel, stride,
// dilation, padding (negative too), output size and group count. Output pixel (oy, ox) takes tap (ky, kx) from input
// pixel ((oy + PAD_T - ky DH) / SH, ...) where that divides exactly, so which taps reach a pixel depends only on its
// phase (oy mod SH, ox mod SW). Each workgroup takes one phase (z) and its pixels as a plane of its own (row oy = qy SH
// + phase row), so all its pixels share one tap set: per tap the packed 1x1 kernel's register tile (PX pixels x
// OC_TILE output channels, inputs and weights as texels), as conv2d_packed.comp runs it per tap. Where the kernel
// equals the stride (PP-OCR's 2x2 stride-2 upsampling) every phase has one tap: a 1x1 GEMM per phase whose store is
// the depth-to-space write. Groups whose channel counts are not whole quads run padded to quads (planar tensors read
// 4 channels at a time, zero filters), as conv2d_packed does.
// CHANNELWISE (one output channel per group and 1 to 4 inputs, output channels in whole quads: depthwise layers and
// mobilenet_yolo's 2-to-1 upsampling) reduces over the group's few inputs only: an output quad reads GROUP_IN_C whole
// input texels per pixel and tap, and each output channel takes its own components of them.
// Weights are packed by ConvTransposePackedKernel as [group][block of OC_TILE][ky][kx][input channel of the group]
// [OC_TILE] (CHANNELWISE: [output quad][ky][kx][input of the group][4 output channels]); bias padded to GROUP_OUT_C4
// quads per group (CHANNELWISE: as it is).
// x = PX pixels of the phase's plane per invocation, y = group x output block (CHANNELWISE: output quad),
// z = batch item x phase.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int IN_C = 4;
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int OUT_C = 4;
layout(constant_id = 5) const int OUT_H = 1;
layout(constant_id = 6) const int OUT_W = 1;
layout(constant_id = 7) const int KH = 2;
layout(constant_id = 8) const int KW = 2;
layout(constant_id = 9) const int SH = 2;
layout(constant_id = 10) const int SW = 2;
layout(constant_id = 11) const int DH = 1;
layout(constant_id = 12) const int DW = 1;
layout(constant_id = 13) const int PAD_T = 0;      // may be negative
layout(constant_id = 14) const int PAD_L = 0;
layout(constant_id = 15) const int GROUPS = 1;
layout(constant_id = 16) const int HAS_BIAS = 0;
layout(constant_id = 17) const int OC_TILE = 16;   // multiple of 4
layout(constant_id = 18) const int PX = 8;
layout(constant_id = 19) const int IN_PLANAR = 0;  // 1: the input (NCHW) is read channel by channel
layout(constant_id = 20) const int OUT_PLANAR = 0; // 1: the output is NCHW
layout(constant_id = 21) const int CHANNELWISE = 0; // 1: packed, GROUPS == OUT_C, IN_C / GROUPS at most 4
layout(constant_id = 22) const int ACT = 0;

const int V = CHANNELWISE != 0 ? 1 : OC_TILE / 4;
const int IN_HW = IN_H * IN_W;
const int OUT_HW = OUT_H * OUT_W;
const int PHASES = SH * SW;
const int QH = (OUT_H + SH - 1) / SH, QW = (OUT_W + SW - 1) / SW; // a phase's plane (the last row or column may be past the output)
const int GROUP_IN_C = IN_C / GROUPS;
const int GROUP_OUT_C = OUT_C / GROUPS;
const int GROUP_IN_C4 = (GROUP_IN_C + 3) / 4;
const int GROUP_OUT_C4 = (GROUP_OUT_C + 3) / 4;
const int BLOCKS = (GROUP_OUT_C4 + V - 1) / V;
const int CW_IN = CHANNELWISE != 0 ? GROUP_IN_C : 1; // input texels per output quad and pixel

// floor(a / b) for b > 0 and any a (GLSL leaves division of negatives to the implementation).
int floorDiv(int a, int b) { return a >= 0 ? a / b : -((b - 1 - a) / b); }

real planarInput(int e, int c) {
    return c < GROUP_IN_C ? real(texelFetch(actTexels, e >> 2)[e & 3]) : real(0);
}

// Input channels 4 c4 .. 4 c4 + 3 of the group at pixel `at`: one texel when packed; planar, one fetch per element,
// zero past the group's last channel (written out, not looped, as in conv2d_packed.comp).
real4 loadInput(int inBase, int c4, int at) {
    if (IN_PLANAR == 0) return LOAD4(inBase + c4 * IN_HW + at);
    int c = c4 * 4, e = inBase + c * IN_HW + at, last = inBase + (GROUP_IN_C - 1) * IN_HW + at;
    return real4(planarInput(min(e, last), c), planarInput(min(e + IN_HW, last), c + 1),
                 planarInput(min(e + 2 * IN_HW, last), c + 2), planarInput(min(e + 3 * IN_HW, last), c + 3));
}

void storePlanar(int c, uint e, real v) {
    if (c < GROUP_OUT_C) STORE(pc.out0 + e, activate(v, ACT));
}

// Output quad c4o of the group at output pixel p: one texel when packed; planar, only the group's real channels.
void storeOutput(int n, int group, int c4o, int p, real4 s) {
    if (OUT_PLANAR == 0) {
        STORE4(TEXEL(pc.out0) + (n * (OUT_C / 4) + group * GROUP_OUT_C4 + c4o) * OUT_HW + p, activate(s, ACT));
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
    int q0 = int(gl_WorkGroupID.x) * L * PX + int(gl_LocalInvocationID.x); // first pixel of the phase's plane; then every L-th
    int group = CHANNELWISE != 0 ? 0 : int(gl_WorkGroupID.y) / BLOCKS;
    int blk = CHANNELWISE != 0 ? int(gl_WorkGroupID.y) : int(gl_WorkGroupID.y) % BLOCKS;
    int n = int(gl_WorkGroupID.z) / PHASES, phase = int(gl_WorkGroupID.z) % PHASES;
    int ry = phase / SW, rx = phase % SW;
    if (q0 >= QH * QW) return;

    real4 acc[PX * V];
    for (int i = 0; i < PX * V; i++) acc[i] = real4(0);
#if defined(FP16_ARITH)
    const int FOLD = 32; // fp16 partial sums folded into fp32 every 32 input channels (see pointwise_conv_tiled.comp)
    int steps = 0;
    vec4 total[PX * V];
    for (int i = 0; i < PX * V; i++) total[i] = vec4(0);
#endif
    int qy[PX], qx[PX];
    for (int k = 0; k < PX; k++) {
        int q = min(q0 + k * L, QH * QW - 1); // clamped pixels keep the tail's loads in range, unstored
        qy[k] = q / QW;
        qx[k] = q % QW;
    }
    int inBase = IN_PLANAR != 0 ? int(pc.in0) + (n * IN_C + group * GROUP_IN_C) * IN_HW
                                : TEXEL(pc.in0) + (n * (IN_C / 4) + (CHANNELWISE != 0 ? blk * CW_IN : group * GROUP_IN_C4)) * IN_HW;
    int wBase = TEXEL(pc.weights) + (CHANNELWISE != 0 ? blk * KH * KW * CW_IN : (group * BLOCKS + blk) * KH * KW * GROUP_IN_C4 * 4 * V);
    for (int ky = 0; ky < KH; ky++) {
        int ty = ry + PAD_T - ky * DH, dy = floorDiv(ty, SH); // this phase's rows take tap row ky from input row qy + dy
        if (dy * SH != ty) continue;
        for (int kx = 0; kx < KW; kx++) {
            int tx = rx + PAD_L - kx * DW, dx = floorDiv(tx, SW);
            if (dx * SW != tx) continue;
            int at[PX];
            bool inside[PX];
            for (int k = 0; k < PX; k++) {
                int iy = qy[k] + dy, ix = qx[k] + dx;
                inside[k] = uint(iy) < uint(IN_H) && uint(ix) < uint(IN_W);
                at[k] = inside[k] ? iy * IN_W + ix : 0;
            }
            if (CHANNELWISE != 0) {
                real4 w[CW_IN];
                for (int j = 0; j < CW_IN; j++) w[j] = W4(wBase + (ky * KW + kx) * CW_IN + j);
                for (int k = 0; k < PX; k++) {
                    real4 q[CW_IN];
                    for (int t = 0; t < CW_IN; t++) q[t] = inside[k] ? LOAD4(inBase + t * IN_HW + at[k]) : real4(0);
                    // Input j of output channel i is element i CW_IN + j of the quad's CW_IN texels.
                    for (int j = 0; j < CW_IN; j++)
                        acc[k] = fma(real4(q[j >> 2][j & 3], q[(CW_IN + j) >> 2][(CW_IN + j) & 3],
                                           q[(2 * CW_IN + j) >> 2][(2 * CW_IN + j) & 3], q[(3 * CW_IN + j) >> 2][(3 * CW_IN + j) & 3]),
                                     w[j], acc[k]);
                }
                continue;
            }
            int wTap = wBase + (ky * KW + kx) * GROUP_IN_C4 * 4 * V;
            for (int c4 = 0; c4 < GROUP_IN_C4; c4++) {
                real4 x[PX];
                for (int k = 0; k < PX; k++) {
                    real4 t = loadInput(inBase, c4, at[k]);
                    x[k] = inside[k] ? t : real4(0);
                }
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
    }
#if defined(FP16_ARITH)
    for (int i = 0; i < PX * V; i++) total[i] += vec4(acc[i]);
#define TILE_SUM(i) real4(total[i])
#else
#define TILE_SUM(i) acc[i]
#endif

    for (int v = 0; v < V; v++) {
        int c4o = blk * V + v; // CHANNELWISE: the output quad, group 0
        if (CHANNELWISE == 0 && c4o >= GROUP_OUT_C4) break;
        real4 b = HAS_BIAS != 0 ? W4(TEXEL(pc.bias) + group * GROUP_OUT_C4 + c4o) : real4(0);
        for (int k = 0; k < PX; k++) {
            int q = q0 + k * L;
            if (q >= QH * QW) break;
            int oy = (q / QW) * SH + ry, ox = (q % QW) * SW + rx;
            if (oy < OUT_H && ox < OUT_W) storeOutput(n, group, c4o, oy * OUT_W + ox, TILE_SUM(k * V + v) + b);
        }
    }
}
