#version 450
// Softmax along the middle axis of a sample seen as [OUTER, AXIS, INNER] (ONNX Softmax on a non-batch axis).
// One invocation per (outer, inner) line: x = outer * INNER + inner, z = batch item. Max subtracted for stability;
// sums in fp32 in every precision variant.
#include "common.glsl"

layout(constant_id = 1) const int OUTER = 1;
layout(constant_id = 2) const int AXIS = 1;
layout(constant_id = 3) const int INNER = 1;

void main() {
    int line = int(gl_GlobalInvocationID.x);
    int n = int(gl_GlobalInvocationID.z);
    if (line >= OUTER * INNER) return;
    int o = line / INNER, i = line % INNER;
    uint first = uint((n * OUTER + o) * AXIS * INNER + i);
    float m = -3.402823e38;
    for (int a = 0; a < AXIS; a++) m = max(m, float(act[pc.in0 + first + uint(a * INNER)]));
    float sum = 0.0;
    for (int a = 0; a < AXIS; a++) sum += exp(float(act[pc.in0 + first + uint(a * INNER)]) - m);
    for (int a = 0; a < AXIS; a++)
        STORE(pc.out0 + first + uint(a * INNER), exp(float(act[pc.in0 + first + uint(a * INNER)]) - m) / sum);
}
