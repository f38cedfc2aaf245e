#version 450
// Winograd input transform on a channel-packed (NC4HW4) tensor: each invocation takes one ALPHA x ALPHA input tile
// (output tile t of TILE x TILE pixels, read from tileOrigin(ty) - PAD_T, tileOrigin(tx) - PAD_L with the taps DIL_H, DIL_W
// apart, zeros outside the image) of one
// channel quad and writes V = B^T d B, position by position, into the scratch tensor the batched GEMM reads:
// [batch][position][channel quad][tile] vec4s, i.e. POSITIONS independent NC4HW4 tensors of TILES "pixels" each.
// Sums in fp32 in every precision variant (the transform is a few adds per load; fp16 would only lose digits).
// x = tile, y = input channel quad, z = batch item.
#extension GL_EXT_control_flow_attributes : require
#define FP32_SUMS
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int IN_C = 4;      // multiple of 4
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int PAD_T = 0;
layout(constant_id = 5) const int PAD_L = 0;
layout(constant_id = 6) const int TILES_H = 1;
layout(constant_id = 7) const int TILES_W = 1;
layout(constant_id = 8) const int TILE = 2;      // output pixels per tile side: F(2x2, 3x3) or F(4x4, 3x3)
layout(constant_id = 9) const int DIL_H = 1;     // dilation
layout(constant_id = 10) const int DIL_W = 1;
#include "winograd.glsl"

const int IN_C4 = IN_C / 4;
const int TILES = TILES_H * TILES_W;

void main() {
    int t = int(gl_GlobalInvocationID.x);
    int c4 = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (t >= TILES) return;
    int y0 = tileOrigin(t / TILES_W, DIL_H) - PAD_T, x0 = tileOrigin(t % TILES_W, DIL_W) - PAD_L;
    int plane = TEXEL(pc.in0) + (n * IN_C4 + c4) * IN_H * IN_W;

    vec4 d[POSITIONS];
    [[unroll]] for (int i = 0; i < ALPHA; i++)
        [[unroll]] for (int j = 0; j < ALPHA; j++) {
            int y = y0 + i * DIL_H, x = x0 + j * DIL_W;
            bool inside = y >= 0 && y < IN_H && x >= 0 && x < IN_W;
            d[i * ALPHA + j] = inside ? LOAD4(plane + y * IN_W + x) : vec4(0);
        }
    // B^T d, then (B^T d) B.
    vec4 r[POSITIONS];
    [[unroll]] for (int i = 0; i < ALPHA; i++)
        [[unroll]] for (int j = 0; j < ALPHA; j++) {
            vec4 s = vec4(0);
            [[unroll]] for (int k = 0; k < ALPHA; k++)
                if (bt(i, k) != 0.0) s += bt(i, k) * d[k * ALPHA + j];
            r[i * ALPHA + j] = s;
        }
    int out0 = TEXEL(pc.out0) + (n * POSITIONS * IN_C4 + c4) * TILES + t;
    [[unroll]] for (int i = 0; i < ALPHA; i++)
        [[unroll]] for (int j = 0; j < ALPHA; j++) {
            vec4 s = vec4(0);
            [[unroll]] for (int k = 0; k < ALPHA; k++)
                if (bt(j, k) != 0.0) s += bt(j, k) * r[i * ALPHA + k];
            STORE4(out0 + (i * ALPHA + j) * IN_C4 * TILES, s);
        }
}
