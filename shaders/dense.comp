#version 450
// Fully connected layer: out[o] = act(sum_i w[o, i] * in[i] + bias[o]). x = output unit, y = batch item.
// Where IN_F is a multiple of 4 and TEXELS, the weight row and the input are read as vec4 texels (offsets are
// 16-byte aligned: the planner aligns activations, the weight packer aligns weights; see vec4_io.glsl): a quarter
// of the loads, each a vector gather on lavapipe, and four independent partial sums instead of one dependent chain.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int IN_F = 1;
layout(constant_id = 2) const int OUT_F = 1;
layout(constant_id = 3) const int HAS_BIAS = 0;
layout(constant_id = 4) const int ACT = 0;
layout(constant_id = 5) const int TEXELS = 1; // 0: the input or weights lie beyond the texel views; read scalars

const bool VEC4 = IN_F % 4 == 0 && TEXELS != 0;

void main() {
    int o = int(gl_GlobalInvocationID.x);
    int n = int(gl_GlobalInvocationID.y);
    if (o >= OUT_F) return;
    uint x = pc.in0 + uint(n * IN_F);
    uint w = pc.weights + uint(o * IN_F);
    real sum = real(0);
    if (VEC4) {
        real4 sum4 = real4(0);
#if defined(FP16_ARITH)
        // fp16 partial sums are folded into an fp32 total every 32 inputs, as in pointwise_conv_tiled.comp (the
        // logits layer sums 1280 products).
        vec4 total = vec4(0);
        for (int i = 0; i < IN_F / 4; i++) {
            sum4 = fma(W4(TEXEL(w) + i), LOAD4(TEXEL(x) + i), sum4);
            if (i % 8 == 7) { total += vec4(sum4); sum4 = real4(0); }
        }
        total += vec4(sum4);
        sum = real((total.x + total.y) + (total.z + total.w));
#else
        for (int i = 0; i < IN_F / 4; i++) sum4 = fma(W4(TEXEL(w) + i), LOAD4(TEXEL(x) + i), sum4);
        sum = (sum4.x + sum4.y) + (sum4.z + sum4.w);
#endif
    } else {
        for (int i = 0; i < IN_F; i++) sum = fma(W(w + uint(i)), LOAD(x + uint(i)), sum);
    }
    if (HAS_BIAS != 0) sum += W(pc.bias + o);
    STORE(pc.out0 + uint(n * OUT_F + o), activate(sum, ACT));
}
