#version 450
// Device peak: an FMA-bound loop with no memory traffic inside it (DevicePeak.MeasureGflops).
// Eight independent vec4 accumulators per lane hide the FMA latency (a single chain would measure latency,
// not throughput); the multipliers stay close to 1 so the values neither overflow nor denormalise.
#include "common.glsl"

layout(constant_id = 1) const int ITERATIONS = 4096;

void main() {
    uint gid = gl_GlobalInvocationID.x;
    float seed = float(gid & 7u) * 1e-3;
    // The bias comes from the buffer so the compiler cannot fold the loop to a constant.
    vec4 b = vec4(float(act[pc.in0]) * 1e-6);
    vec4 m = vec4(0.9999);
    vec4 a0 = vec4(seed), a1 = vec4(seed + 0.1), a2 = vec4(seed + 0.2), a3 = vec4(seed + 0.3);
    vec4 a4 = vec4(seed + 0.4), a5 = vec4(seed + 0.5), a6 = vec4(seed + 0.6), a7 = vec4(seed + 0.7);
    for (int i = 0; i < ITERATIONS; i++) {
        a0 = fma(a0, m, b); a1 = fma(a1, m, b); a2 = fma(a2, m, b); a3 = fma(a3, m, b);
        a4 = fma(a4, m, b); a5 = fma(a5, m, b); a6 = fma(a6, m, b); a7 = fma(a7, m, b);
    }
    vec4 s = (a0 + a1) + (a2 + a3) + (a4 + a5) + (a6 + a7);
    // Written so the loop has an observable result and is not removed as dead code.
    STORE(pc.out0 + gid, s.x + s.y + s.z + s.w);
}
