#version 450
// Fully connected layer: out[o] = act(sum_i w[o, i] * in[i] + bias[o]). x = output unit, y = batch item.
#include "common.glsl"

layout(constant_id = 1) const int IN_F = 1;
layout(constant_id = 2) const int OUT_F = 1;
layout(constant_id = 3) const int HAS_BIAS = 0;
layout(constant_id = 4) const int ACT = 0;

void main() {
    int o = int(gl_GlobalInvocationID.x);
    int n = int(gl_GlobalInvocationID.y);
    if (o >= OUT_F) return;
    uint x = pc.in0 + uint(n * IN_F);
    uint w = pc.weights + uint(o * IN_F);
    real sum = real(0);
    for (int i = 0; i < IN_F; i++) sum = fma(W(w + uint(i)), LOAD(x + uint(i)), sum);
    if (HAS_BIAS != 0) sum += W(pc.bias + o);
    STORE(pc.out0 + uint(n * OUT_F + o), activate(sum, ACT));
}
