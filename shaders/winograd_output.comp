#version 450
// Winograd output transform on channel-packed (NC4HW4) tensors: each invocation takes the POSITIONS GEMM results of one
// tile and one output channel quad ([batch][position][channel quad][tile] vec4s, written by the batched GEMM) and stores
// Y = A^T M A, TILE x TILE pixels DIL_H, DIL_W apart (see tileOrigin), plus the bias and the residual, through the activation; pixels past the output's
// edge (the last row and column of tiles may overhang it) are not stored. Sums in fp32 in every precision variant.
// x = tile, y = output channel quad, z = batch item.
#extension GL_EXT_control_flow_attributes : require
#define FP32_SUMS
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int OUT_C = 4;     // multiple of 4
layout(constant_id = 2) const int OUT_H = 1;
layout(constant_id = 3) const int OUT_W = 1;
layout(constant_id = 4) const int TILES_H = 1;
layout(constant_id = 5) const int TILES_W = 1;
layout(constant_id = 6) const int TILE = 2;
layout(constant_id = 7) const int HAS_BIAS = 0;
layout(constant_id = 8) const int ACT = 0;
layout(constant_id = 9) const int HAS_RESIDUAL = 0;
layout(constant_id = 10) const int DIL_H = 1;    // dilation
layout(constant_id = 11) const int DIL_W = 1;
// Quads per batch item of the tensor written (0: OUT_C / 4). Wider where the convolution writes its channels of a
// concatenation (ConcatPartWriteOp: SqueezeNet's 3x3 expands), pc.out0 then at its first quad; no residual there.
layout(constant_id = 12) const int OUT_STRIDE_C4 = 0;
#include "winograd.glsl"

const int OUT_C4 = OUT_C / 4;
const int OUT_SC4 = OUT_STRIDE_C4 > 0 ? OUT_STRIDE_C4 : OUT_C4;
const int TILES = TILES_H * TILES_W;

void main() {
    int t = int(gl_GlobalInvocationID.x);
    int c4 = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (t >= TILES) return;

    int in0 = TEXEL(pc.in0) + (n * POSITIONS * OUT_C4 + c4) * TILES + t;
    vec4 m[POSITIONS];
    [[unroll]] for (int p = 0; p < POSITIONS; p++) m[p] = LOAD4(in0 + p * OUT_C4 * TILES);
    // A^T M (TILE x ALPHA), then (A^T M) A (TILE x TILE).
    vec4 r[TILE * ALPHA];
    [[unroll]] for (int i = 0; i < TILE; i++)
        [[unroll]] for (int j = 0; j < ALPHA; j++) {
            vec4 s = vec4(0);
            [[unroll]] for (int k = 0; k < ALPHA; k++)
                if (at(i, k) != 0.0) s += at(i, k) * m[k * ALPHA + j];
            r[i * ALPHA + j] = s;
        }
    vec4 b = HAS_BIAS != 0 ? W4(TEXEL(pc.bias) + c4) : vec4(0);
    int y0 = tileOrigin(t / TILES_W, DIL_H), x0 = tileOrigin(t % TILES_W, DIL_W);
    int plane = (n * OUT_SC4 + c4) * OUT_H * OUT_W;
    [[unroll]] for (int i = 0; i < TILE; i++)
        [[unroll]] for (int j = 0; j < TILE; j++) {
            int y = y0 + i * DIL_H, x = x0 + j * DIL_W;
            if (y >= OUT_H || x >= OUT_W) continue;
            vec4 s = b;
            [[unroll]] for (int k = 0; k < ALPHA; k++)
                if (at(j, k) != 0.0) s += at(j, k) * r[i * ALPHA + k];
            int o = plane + y * OUT_W + x;
            if (HAS_RESIDUAL != 0) s += LOAD4(TEXEL(pc.in1) + o);
            STORE4(TEXEL(pc.out0) + o, activate(s, ACT));
        }
}
