#version 450
#extension GL_EXT_control_flow_attributes : require
// Fast direct convolution (groups = 1; the network stem): each invocation computes PX consecutive output
// pixels of one row x OC_TILE output channels. Weights are repacked by Conv2dTiledKernel as
// [block][ci][ky][kx][OC_TILE] and read as texels from pc.weights (TEXELS, see vec4_io.glsl), else from the uniform
// window; pc.aux0 is the first output channel of this dispatch. Each input row span the PX outputs need is loaded
// once per (ci, ky), as aligned vec4 texels where rows are whole texels (VEC4_ROWS), else element by element.
// x = (output row, group of PX columns), y = block of OC_TILE output channels, z = batch item.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int IN_C = 1;
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int OUT_C = 1;
layout(constant_id = 5) const int OUT_H = 1;
layout(constant_id = 6) const int OUT_W = 1;
layout(constant_id = 7) const int KH = 3;
layout(constant_id = 8) const int KW = 3;
layout(constant_id = 9) const int SH = 1;
layout(constant_id = 10) const int SW = 1;
layout(constant_id = 11) const int PAD_T = 0;
layout(constant_id = 12) const int PAD_L = 0;
layout(constant_id = 13) const int HAS_BIAS = 0;
layout(constant_id = 14) const int ACT = 0;
layout(constant_id = 15) const int HAS_RESIDUAL = 0;
layout(constant_id = 16) const int OC_TILE = 16;
layout(constant_id = 17) const int PX = 4;
layout(constant_id = 18) const int OUT_PACKED = 0; // 1: the output is NC4HW4 (OUT_C a multiple of 4, no residual)
layout(constant_id = 19) const int TEXELS = 0;     // 1: the input and the weights lie within the texel views
layout(constant_id = 20) const int DH = 1;         // dilation: taps DH rows, DW columns apart
layout(constant_id = 21) const int DW = 1;

layout(std140, binding = 2) uniform WeightWindow { vec4 wv[4096]; };

const int V = OC_TILE / 4;
const int GROUPS_PER_ROW = (OUT_W + PX - 1) / PX;
const int SPAN = (PX - 1) * SW + (KW - 1) * DW + 1; // input columns one group of PX outputs reads
const int SHIFT = (4 - PAD_L % 4) % 4;      // its first column's place in its texel (ox0 * SW is a multiple of 4)
const int NV4 = (SHIFT + SPAN + 3) / 4;     // texels covering it
const bool VEC4_ROWS = TEXELS != 0 && IN_W % 4 == 0 && (PX * SW) % 4 == 0;

void main() {
    int g = int(gl_GlobalInvocationID.x);
    int blk = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (g >= OUT_H * GROUPS_PER_ROW) return;
    int oy = g / GROUPS_PER_ROW;
    int ox0 = (g % GROUPS_PER_ROW) * PX;

    real4 acc[PX * V];
    for (int i = 0; i < PX * V; i++) acc[i] = real4(0);
    int wBase = blk * IN_C * KH * KW * V;
    for (int ci = 0; ci < IN_C; ci++) {
        uint plane = pc.in0 + uint((n * IN_C + ci) * IN_H * IN_W);
        for (int ky = 0; ky < KH; ky++) {
            int iy = oy * SH + ky * DH - PAD_T;
            bool rowOk = iy >= 0 && iy < IN_H;
            int ix0 = ox0 * SW - PAD_L;
            real span[SPAN];
            if (VEC4_ROWS) {
                // Each texel is wholly inside the row or wholly outside it; rows outside the image read row 0.
                int row = TEXEL(plane + uint(clamp(iy, 0, IN_H - 1) * IN_W));
                real cols[NV4 * 4];
                for (int j = 0; j < NV4; j++) {
                    int col = ix0 - SHIFT + j * 4;
                    real4 t = LOAD4(row + clamp(col, 0, IN_W - 4) / 4);
                    t = rowOk && col >= 0 && col < IN_W ? t : real4(0);
                    for (int q = 0; q < 4; q++) cols[j * 4 + q] = t[q];
                }
                for (int s = 0; s < SPAN; s++) span[s] = cols[SHIFT + s];
            } else {
                for (int s = 0; s < SPAN; s++) {
                    int ix = ix0 + s;
                    span[s] = (rowOk && ix >= 0 && ix < IN_W) ? LOAD(plane + uint(iy * IN_W + ix)) : real(0);
                }
            }
            // Unrolled so that span[] is indexed by constants and stays in registers: left to NIR, a 7x7 filter's loop
            // stayed a loop (ResNet-18's 7x7 stride-2 stem 1.4-2.4x slower on lavapipe; 3x3 stems the same either way).
            [[unroll]] for (int kx = 0; kx < KW; kx++) {
                int wi = wBase + ((ci * KH + ky) * KW + kx) * V;
                for (int v = 0; v < V; v++) {
                    real4 w = TEXELS != 0 ? W4(TEXEL(pc.weights) + wi + v) : real4(wv[wi + v]);
                    for (int k = 0; k < PX; k++) acc[k * V + v] = fma(w, real4(span[k * SW + kx * DW]), acc[k * V + v]);
                }
            }
        }
    }

    int co0 = int(pc.aux0) + blk * OC_TILE;
    if (OUT_PACKED != 0) {
        // NC4HW4: the 4 channels of a pixel held in one accumulator are one vec4 of the output.
        for (int v = 0; v < V; v++) {
            int co = co0 + v * 4;
            if (co >= OUT_C) break;
            real4 b = HAS_BIAS != 0 ? real4(W(pc.bias + co), W(pc.bias + co + 1), W(pc.bias + co + 2), W(pc.bias + co + 3)) : real4(0);
            int o = (n * (OUT_C / 4) + co / 4) * OUT_H * OUT_W + oy * OUT_W;
            for (int k = 0; k < PX; k++) {
                int ox = ox0 + k;
                if (ox >= OUT_W) break;
                STORE4(TEXEL(pc.out0) + o + ox, activate(acc[k * V + v] + b, ACT));
            }
        }
        return;
    }
    for (int v = 0; v < V; v++)
        for (int c = 0; c < 4; c++) {
            int co = co0 + v * 4 + c;
            if (co >= OUT_C) continue;
            real b = HAS_BIAS != 0 ? W(pc.bias + co) : real(0);
            uint o = uint((n * OUT_C + co) * OUT_H * OUT_W + oy * OUT_W);
            for (int k = 0; k < PX; k++) {
                int ox = ox0 + k;
                if (ox >= OUT_W) break;
                real s = acc[k * V + v][c] + b;
                if (HAS_RESIDUAL != 0) s += LOAD(pc.in1 + o + uint(ox));
                STORE(pc.out0 + o + uint(ox), activate(s, ACT));
            }
        }
}
