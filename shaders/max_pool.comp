#version 450
// Max pooling over the window positions inside the input (padding never wins). x = output pixel (PACKED: group of PX
// output pixels of a row), y = channel (channel quad when PACKED), z = batch item.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int C = 1;
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int OUT_H = 1;
layout(constant_id = 5) const int OUT_W = 1;
layout(constant_id = 6) const int KH = 1;
layout(constant_id = 7) const int KW = 1;
layout(constant_id = 8) const int SH = 1;
layout(constant_id = 9) const int SW = 1;
layout(constant_id = 10) const int PAD_T = 0;
layout(constant_id = 11) const int PAD_L = 0;
layout(constant_id = 12) const int PACKED = 0; // 1: input and output NC4HW4 (C a multiple of 4), 4 channels per invocation
layout(constant_id = 13) const int PX = 1;     // PACKED: output pixels of a row per invocation

const int SPAN = (PX - 1) * SW + KW; // input columns one row of PX outputs touches
const int GROUPS_PER_ROW = (OUT_W + PX - 1) / PX;

// The ShuffleNets' stem -> max pool -> packed body: the 4 channels of a pixel are one texel. PX outputs of a row share
// the input columns their windows overlap in (3x3 stride 2, PX 4: 27 loads instead of 36), and every load is clamped
// into the image instead of branching: a window holds at least one input pixel and is contiguous, so the clamped
// position is inside it too and the maximum is unchanged (padding never wins). Loops of constant trip counts, no
// branch per pixel: llvmpipe keeps the PX maxima in registers.
void pooledQuads(int g, int c4, int n) {
    int oy = g / GROUPS_PER_ROW;
    int ox0 = (g % GROUPS_PER_ROW) * PX;
    int iy0 = oy * SH - PAD_T, ix0 = ox0 * SW - PAD_L;
    int plane = TEXEL(pc.in0) + (n * (C / 4) + c4) * IN_H * IN_W;
    vec4 best[PX];
    for (int k = 0; k < PX; k++) best[k] = vec4(-3.402823466e38);
    for (int ky = 0; ky < KH; ky++) {
        int row = plane + clamp(iy0 + ky, 0, IN_H - 1) * IN_W;
        vec4 span[SPAN];
        for (int s = 0; s < SPAN; s++) span[s] = vec4(LOAD4(row + clamp(ix0 + s, 0, IN_W - 1)));
        for (int kx = 0; kx < KW; kx++)
            for (int k = 0; k < PX; k++) best[k] = max(best[k], span[k * SW + kx]);
    }
    int o = TEXEL(pc.out0) + (n * (C / 4) + c4) * OUT_H * OUT_W + oy * OUT_W;
    for (int k = 0; k < PX; k++) {
        if (ox0 + k >= OUT_W) break;
        STORE4(o + ox0 + k, best[k]);
    }
}

void main() {
    int p = int(gl_GlobalInvocationID.x);
    int c = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (PACKED != 0) {
        if (p < OUT_H * GROUPS_PER_ROW) pooledQuads(p, c, n);
        return;
    }
    if (p >= OUT_H * OUT_W) return;
    int iy0 = (p / OUT_W) * SH - PAD_T, ix0 = (p % OUT_W) * SW - PAD_L;
    uint plane = pc.in0 + uint((n * C + c) * IN_H * IN_W);
    // The builder keeps padding smaller than the window, so every window holds at least one input pixel.
    float best = -3.402823466e38;
    for (int iy = max(iy0, 0); iy < min(iy0 + KH, IN_H); iy++)
        for (int ix = max(ix0, 0); ix < min(ix0 + KW, IN_W); ix++)
            best = max(best, float(act[plane + uint(iy * IN_W + ix)]));
    STORE(pc.out0 + uint((n * C + c) * OUT_H * OUT_W + p), best);
}
