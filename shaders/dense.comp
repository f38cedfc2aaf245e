#version 450
// Fully connected layer: out[o] = act(sum_i w[o, i] * in[i] + bias[o]). x = output unit, y = batch item.
// Where IN_F is a multiple of 4 and TEXELS, the weight row and the input are read as vec4 texels (offsets are
// 16-byte aligned: the planner aligns activations, the weight packer aligns weights; see vec4_io.glsl): a quarter
// of the loads, each a vector gather on lavapipe, and four independent partial sums instead of one dependent chain.
// QUADS (IN_F a multiple of 4, texels): x = a quad of 4 output units, weights packed by DenseKernel as [OUT_F / 4][IN_F]
// texels (texel (q, i) holds the weights of units 4q..4q+3 for input i, zero past OUT_F), so per 4 inputs one input
// texel and 4 weight texels feed 16 multiply-adds (5 fetches where one unit per invocation makes 8), and the 4 sums
// are stored as one vec4 where OUT_F is a multiple of 4. On lavapipe a texel fetch costs the same for 8 lanes whether
// or not they share an address, so fetches per multiply-add are what this layer's time is made of.
// INT8_WEIGHTS (quads only, Kernels/Int8Weights.cs): the weight texels are int8 levels read through the snorm byte view
// (W8, a quarter of the bytes fetched), after one fp32 scale per output unit (a vec4 per quad, at pc.weights); each
// quad's sums are multiplied by its scales before the bias. Levels start after the scales, element = byte texel.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int IN_F = 1;
layout(constant_id = 2) const int OUT_F = 1;
layout(constant_id = 3) const int HAS_BIAS = 0;
layout(constant_id = 4) const int ACT = 0;
layout(constant_id = 5) const int TEXELS = 1; // 0: the input or weights lie beyond the texel views; read scalars
layout(constant_id = 6) const int QUADS = 0;  // 1: 4 output units per invocation (needs VEC4)
layout(constant_id = 7) const int INT8_WEIGHTS = 0;

const bool VEC4 = IN_F % 4 == 0 && TEXELS != 0;

void quads() {
    int q = int(gl_GlobalInvocationID.x);
    int n = int(gl_GlobalInvocationID.y);
    if (q * 4 >= OUT_F) return;
    int x = TEXEL(pc.in0) + n * (IN_F / 4);
    int w = INT8_WEIGHTS != 0 ? int(pc.weights) + (OUT_F + 3) / 4 * 4 + q * IN_F : TEXEL(pc.weights) + q * IN_F;
    real4 sum = real4(0);
#if defined(FP16_ARITH)
    vec4 total = vec4(0); // fp16 partial sums folded into fp32 every 32 inputs, as below
#endif
    for (int i = 0; i < IN_F / 4; i++) {
        real4 v = LOAD4(x + i);
        for (int j = 0; j < 4; j++) sum = fma(INT8_WEIGHTS != 0 ? W8(w + 4 * i + j) : W4(w + 4 * i + j), real4(v[j]), sum);
#if defined(FP16_ARITH)
        if (i % 8 == 7) { total += vec4(sum); sum = real4(0); }
#endif
    }
#if defined(FP16_ARITH)
    sum = real4(total + vec4(sum));
#endif
    if (INT8_WEIGHTS != 0) sum *= W4(TEXEL(pc.weights) + q);
    if (HAS_BIAS != 0) sum += W4(TEXEL(pc.bias) + q);
    sum = activate(sum, ACT);
    if (OUT_F % 4 == 0) {
        STORE4(TEXEL(pc.out0) + n * (OUT_F / 4) + q, sum);
    } else {
        for (int j = 0; j < 4; j++)
            if (q * 4 + j < OUT_F) STORE(pc.out0 + uint(n * OUT_F + q * 4 + j), sum[j]);
    }
}

void main() {
    if (QUADS != 0 && VEC4) { quads(); return; }
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
