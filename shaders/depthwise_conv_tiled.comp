#version 450
// Fast depthwise convolution: each invocation computes PX consecutive output pixels in each of ROWS rows of
// one channel, loading each input row the block touches once (3x3 stride 1, PX = 4, ROWS = 2: 4 rows of 6
// columns feed 72 multiply-adds, where one output row per invocation needs 3 rows of 6 for 36). Filter taps and bias come from the uniform window (binding 2), packed by
// DepthwiseConvTiledKernel as TAPS_V4 vec4s per channel: KH*KW taps, then the bias. pc.aux0 is the first
// channel of this dispatch (a layer with many channels is split so its weights fit one window).
// x = (group of ROWS output rows, group of PX columns), y = channel within the dispatch, z = batch item.
#define FP32_SUMS // see common.glsl
#include "common.glsl"

layout(constant_id = 1) const int C = 1;
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int OUT_H = 1;
layout(constant_id = 5) const int OUT_W = 1;
layout(constant_id = 6) const int KH = 3;
layout(constant_id = 7) const int KW = 3;
layout(constant_id = 8) const int SH = 1;
layout(constant_id = 9) const int SW = 1;
layout(constant_id = 10) const int PAD_T = 0;
layout(constant_id = 11) const int PAD_L = 0;
layout(constant_id = 12) const int ACT = 0;
layout(constant_id = 13) const int HAS_RESIDUAL = 0;
layout(constant_id = 14) const int PX = 4;
layout(constant_id = 15) const int ROWS = 1; // output rows per invocation

layout(std140, binding = 2) uniform WeightWindow { vec4 wv[4096]; };

// The arena as vec4s: where image rows are whole vec4s and an invocation covers 4 outputs, the input columns
// it needs start at a fixed offset SHIFT inside an aligned vec4 (its first column is ox0*SW - PAD_L with ox0 a
// multiple of 4), so they arrive as NV4 aligned vec4 loads instead of SPAN scalar ones.
#if defined(FP16_STORAGE)
layout(std430, binding = 0) readonly buffer ActivationsV4 { f16vec4 act4[]; };
#else
layout(std430, binding = 0) readonly buffer ActivationsV4 { vec4 act4[]; };
#endif

const int TAPS_V4 = (KH * KW + 1 + 3) / 4;
const int SPAN = (PX - 1) * SW + KW; // input columns one row of PX outputs touches
const int GROUPS_PER_ROW = (OUT_W + PX - 1) / PX;
const int ROW_GROUPS = (OUT_H + ROWS - 1) / ROWS;
const int IN_ROWS = (ROWS - 1) * SH + KH; // input rows ROWS output rows touch
const bool VEC4_ROWS = PX == 4 ? IN_W % 4 == 0 : false;
const int SHIFT = (4 - PAD_L % 4) % 4;
const int NV4 = (SHIFT + SPAN + 3) / 4;

real tap(int local, int t) { return real(wv[local * TAPS_V4 + t / 4][t % 4]); }

void main() {
    int g = int(gl_GlobalInvocationID.x);
    int cl = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (g >= ROW_GROUPS * GROUPS_PER_ROW) return;
    int oy0 = (g / GROUPS_PER_ROW) * ROWS;
    int ox0 = (g % GROUPS_PER_ROW) * PX;
    int c = int(pc.aux0) + cl;
    int iy0 = oy0 * SH - PAD_T, ix0 = ox0 * SW - PAD_L;
    uint plane = pc.in0 + uint((n * C + c) * IN_H * IN_W);

    // Taps and bias once per invocation (uniform-window loads are gathers on lavapipe), reused by every row.
    real taps[KH * KW];
    for (int t = 0; t < KH * KW; t++) taps[t] = tap(cl, t);
    real acc[ROWS * PX];
    real bias = tap(cl, KH * KW);
    for (int k = 0; k < ROWS * PX; k++) acc[k] = bias;
    bool interiorX = ix0 >= 0 && ix0 + SPAN <= IN_W;
    // Each input row is loaded once and feeds every output row whose window covers it.
    for (int r = 0; r < IN_ROWS; r++) {
        int iy = iy0 + r;
        if (iy < 0 || iy >= IN_H) continue;
        uint row = plane + uint(iy * IN_W);
        real span[SPAN];
        if (VEC4_ROWS) {
            // Each aligned vec4 is wholly inside the row or wholly outside it (IN_W is a multiple of 4).
            int base = ix0 - SHIFT;
            real cols[NV4 * 4];
            for (int j = 0; j < NV4; j++) {
                int col = base + j * 4;
                real4 v = (col >= 0 && col < IN_W) ? real4(act4[(row + uint(col)) >> 2]) : real4(0);
                for (int q = 0; q < 4; q++) cols[j * 4 + q] = v[q];
            }
            for (int s = 0; s < SPAN; s++) span[s] = cols[SHIFT + s];
        } else if (interiorX) {
            for (int s = 0; s < SPAN; s++) span[s] = LOAD(row + uint(ix0 + s));
        } else {
            for (int s = 0; s < SPAN; s++) {
                int ix = ix0 + s;
                span[s] = (ix >= 0 && ix < IN_W) ? LOAD(row + uint(ix)) : real(0);
            }
        }
        for (int i = 0; i < ROWS; i++) {
            int ky = r - i * SH;
            if (ky < 0 || ky >= KH) continue;
            for (int kx = 0; kx < KW; kx++) {
                real w = taps[ky * KW + kx];
                for (int k = 0; k < PX; k++) acc[i * PX + k] = fma(span[k * SW + kx], w, acc[i * PX + k]);
            }
        }
    }
    for (int i = 0; i < ROWS; i++) {
        int oy = oy0 + i;
        if (oy >= OUT_H) break;
        uint o = uint((n * C + c) * OUT_H * OUT_W + oy * OUT_W);
        real prior[PX];
        for (int k = 0; k < PX; k++) prior[k] = real(0);
        // The residual is read through the vec4 view where output rows are whole vec4s (mixing scalar and vec4
        // reads of the arena in one kernel measured 2x slower on lavapipe).
        if (HAS_RESIDUAL != 0) {
            if (VEC4_ROWS && OUT_W % 4 == 0) {
                real4 r4 = real4(act4[(pc.in1 + o + uint(ox0)) >> 2]);
                for (int k = 0; k < PX; k++) prior[k] = r4[k % 4];
            } else {
                for (int k = 0; k < PX; k++) prior[k] = LOAD(pc.in1 + o + uint(min(ox0 + k, OUT_W - 1)));
            }
        }
        for (int k = 0; k < PX; k++) {
            int ox = ox0 + k;
            if (ox >= OUT_W) break;
            STORE(pc.out0 + o + uint(ox), activate(acc[i * PX + k] + prior[k], ACT));
        }
    }
}
