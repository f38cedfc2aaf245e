#version 450
// A whole depthwise-separable block in one dispatch: [1x1 expand + act] -> 3x3 depthwise + act -> 1x1 project
// (+ bias, residual, act). One workgroup computes a TH x TW tile of output pixels for all output channels.
// Expanded channels are processed CK at a time: the expanded values of the tile's input halo go to shared
// memory (stage A), the depthwise results of the tile to shared memory (stage B), and every lane adds them
// into its 4-pixel x 16-channel project accumulators (stage C). Neither intermediate tensor touches memory.
// Window 0 (binding 2): project weights [block][EXP_C][16]. Window 1 (binding 3): expand weights [IN_C][EXP_C] and
// expand bias [EXP_C] (when there is an expand), then per expanded channel 12 floats: 9 taps, bias, 2 unused.
// x = tile, z = batch item. Lane = (pixel group of 4 in a tile row, project block).
#include "common.glsl"

layout(constant_id = 1) const int IN_C = 1;
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int EXP_C = 8;     // expanded (= depthwise) channels, padded to a multiple of CK
layout(constant_id = 5) const int REAL_EXP_C = 8; // without padding (input channels read when there is no expand)
layout(constant_id = 6) const int OUT_C = 1;
layout(constant_id = 7) const int OUT_H = 1;
layout(constant_id = 8) const int OUT_W = 1;
layout(constant_id = 9) const int S = 1;
layout(constant_id = 10) const int PAD_T = 1;
layout(constant_id = 11) const int PAD_L = 1;
layout(constant_id = 12) const int HAS_EXPAND = 1;
layout(constant_id = 13) const int ACT_E = 2;
layout(constant_id = 14) const int ACT_D = 2;
layout(constant_id = 15) const int ACT_P = 0;
layout(constant_id = 16) const int HAS_PBIAS = 0;
layout(constant_id = 17) const int HAS_RESIDUAL = 0;
layout(constant_id = 18) const int TH = 8;
layout(constant_id = 19) const int TW = 8;    // multiple of 4
layout(constant_id = 20) const int NB = 1;    // project blocks of 16 output channels

layout(std140, binding = 2) uniform ProjectWindow { vec4 pw[4096]; };
layout(std140, binding = 3) uniform ExpandWindow { vec4 ew[4096]; };

const int CK = 8;
const int RH = (TH - 1) * S + 3;
const int RW = (TW - 1) * S + 3;
const int REGION = RH * RW;
const int TILE = TH * TW;
const int GROUPS = TILE / 4;
const int WG = GROUPS * NB;
const int TILES_X = (OUT_W + TW - 1) / TW;
const int EXP_BIAS = HAS_EXPAND != 0 ? IN_C * EXP_C : 0;        // float index of the expand bias in window 1
const int DW_BASE = HAS_EXPAND != 0 ? EXP_BIAS + EXP_C : 0;      // float index of the depthwise taps

shared real expanded[CK * REGION];
shared real depthwise[CK * TILE];

void main() {
    int lane = int(gl_LocalInvocationIndex);
    int n = int(gl_WorkGroupID.z);
    int tile = int(gl_WorkGroupID.x);
    int oy0 = (tile / TILES_X) * TH, ox0 = (tile % TILES_X) * TW;
    int iy0 = oy0 * S - PAD_T, ix0 = ox0 * S - PAD_L;
    int group = lane % GROUPS, blk = lane / GROUPS;
    int py = group / (TW / 4), px0 = (group % (TW / 4)) * 4; // this lane's 4 pixels in the tile
    uint inBase = pc.in0 + uint(n * IN_C * IN_H * IN_W);

    real4 acc[16];
    for (int i = 0; i < 16; i++) acc[i] = real4(0);

    for (int e0 = 0; e0 < EXP_C; e0 += CK) {
        // Stage A: expanded values of the halo region, 4 region pixels x CK channels per lane so each input
        // value loaded feeds CK multiply-adds; outside the image they are the depthwise's zero padding.
        for (int r0 = lane * 4; r0 < REGION; r0 += WG * 4) {
            real4 lo[4], hi[4];
            uint pix[4];
            bool inside[4];
            for (int q = 0; q < 4; q++) {
                int r = min(r0 + q, REGION - 1);
                int iy = iy0 + r / RW, ix = ix0 + r % RW;
                inside[q] = iy >= 0 && iy < IN_H && ix >= 0 && ix < IN_W;
                pix[q] = inBase + uint(clamp(iy, 0, IN_H - 1) * IN_W + clamp(ix, 0, IN_W - 1));
                lo[q] = real4(0);
                hi[q] = real4(0);
            }
            if (HAS_EXPAND != 0) {
                real4 bLo = real4(ew[(EXP_BIAS + e0) >> 2]), bHi = real4(ew[(EXP_BIAS + e0 + 4) >> 2]);
                for (int q = 0; q < 4; q++) { lo[q] = bLo; hi[q] = bHi; }
                for (int ci = 0; ci < IN_C; ci++) {
                    int w = (ci * EXP_C + e0) >> 2;
                    real4 wLo = real4(ew[w]), wHi = real4(ew[w + 1]);
                    uint plane = uint(ci * IN_H * IN_W);
                    for (int q = 0; q < 4; q++) {
                        real x = LOAD(pix[q] + plane);
                        lo[q] = fma(wLo, real4(x), lo[q]);
                        hi[q] = fma(wHi, real4(x), hi[q]);
                    }
                }
                for (int q = 0; q < 4; q++)
                    for (int k = 0; k < 4; k++) { lo[q][k] = activate(lo[q][k], ACT_E); hi[q][k] = activate(hi[q][k], ACT_E); }
            } else {
                for (int q = 0; q < 4; q++)
                    for (int k = 0; k < 4; k++) {
                        if (e0 + k < REAL_EXP_C) lo[q][k] = LOAD(pix[q] + uint((e0 + k) * IN_H * IN_W));
                        if (e0 + 4 + k < REAL_EXP_C) hi[q][k] = LOAD(pix[q] + uint((e0 + 4 + k) * IN_H * IN_W));
                    }
            }
            for (int q = 0; q < 4; q++) {
                int r = r0 + q;
                if (r >= REGION) break;
                real4 l = inside[q] ? lo[q] : real4(0), h = inside[q] ? hi[q] : real4(0);
                for (int k = 0; k < 4; k++) { expanded[k * REGION + r] = l[k]; expanded[(k + 4) * REGION + r] = h[k]; }
            }
        }
        barrier();

        // Stage B: depthwise 3x3 of the CK channels at the tile's pixels (taps read as three whole vec4s).
        for (int i = lane; i < CK * TILE; i += WG) {
            int k = i / TILE, p = i % TILE;
            int ry = (p / TW) * S, rx = (p % TW) * S;
            int taps = (DW_BASE + (e0 + k) * 12) >> 2;
            // In fp32 in every variant, as the depthwise kernels (see FP32_SUMS in common.glsl).
            vec4 t0 = ew[taps], t1 = ew[taps + 1], t2 = ew[taps + 2];
            float w[12] = float[12](t0.x, t0.y, t0.z, t0.w, t1.x, t1.y, t1.z, t1.w, t2.x, t2.y, t2.z, t2.w);
            int at = k * REGION + ry * RW + rx;
            float s = w[9];
            for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++)
                    s = fma(float(expanded[at + ky * RW + kx]), w[ky * 3 + kx], s);
            depthwise[i] = activate(real(s), ACT_D);
        }
        barrier();

        // Stage C: project accumulate, 4 pixels x 16 output channels per lane.
        for (int k = 0; k < CK; k++) {
            int d = k * TILE + py * TW + px0;
            real4 x = real4(depthwise[d], depthwise[d + 1], depthwise[d + 2], depthwise[d + 3]);
            int w = (blk * EXP_C + e0 + k) * 4;
            for (int v = 0; v < 4; v++) {
                real4 wv = real4(pw[w + v]);
                for (int q = 0; q < 4; q++) acc[q * 4 + v] = fma(wv, real4(x[q]), acc[q * 4 + v]);
            }
        }
        barrier();
    }

    int oy = oy0 + py;
    if (oy >= OUT_H) return;
    for (int v = 0; v < 4; v++)
        for (int c = 0; c < 4; c++) {
            int co = blk * 16 + v * 4 + c;
            if (co >= OUT_C) continue;
            real b = HAS_PBIAS != 0 ? W(pc.bias + co) : real(0);
            uint o = uint((n * OUT_C + co) * OUT_H * OUT_W + oy * OUT_W);
            for (int q = 0; q < 4; q++) {
                int ox = ox0 + px0 + q;
                if (ox >= OUT_W) break;
                real s = acc[q * 4 + v][c] + b;
                if (HAS_RESIDUAL != 0) s += LOAD(pc.in1 + o + uint(ox));
                STORE(pc.out0 + o + uint(ox), activate(s, ACT_P));
            }
        }
}
