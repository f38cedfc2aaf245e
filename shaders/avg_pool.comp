#version 450
// Average pooling; padded positions are left out of the count (TF/Keras). A kernel the size of the input
// is the global average pool. x = output pixel, y = channel (channel quad when OUT_PACKED), z = batch item; with one
// output pixel (GLOBAL) x is the channel (quad) instead, so a workgroup sums many channels at once: with x the single
// pixel each workgroup ran one invocation (squeeze-and-excite pools took 0.4-1.2 ms each on lavapipe).
// A global pool's output, C x 1 x 1 with C a multiple of 4, is the same bytes in NCHW and NC4HW4.
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
layout(constant_id = 12) const int IN_PACKED = 0; // 1: the input is NC4HW4 (C a multiple of 4)
layout(constant_id = 13) const int OUT_PACKED = 0; // 1: input and output NC4HW4; one invocation per pixel and 4 channels
// Channels per batch item of the tensor written (0: C; a multiple of 4 when OUT_PACKED). Wider where the pool writes its
// channels of a concatenation (ConcatPartWriteOp: ShuffleNetV1's stride-2 shortcut), pc.out0 then at its first channel.
layout(constant_id = 14) const int OUT_STRIDE_C = 0;
const int OUT_SC = OUT_STRIDE_C > 0 ? OUT_STRIDE_C : C;

// Both packed (ShuffleNetV1's stride-2 shortcut, so its concat stays NC4HW4): the 4 channels of a pixel are one texel.
void pooledQuad(int p, int c4, int n) {
    int iy0 = (p / OUT_W) * SH - PAD_T, ix0 = (p % OUT_W) * SW - PAD_L;
    int plane = TEXEL(pc.in0) + (n * (C / 4) + c4) * IN_H * IN_W;
    vec4 sum = vec4(0);
    int count = 0;
    for (int iy = max(iy0, 0); iy < min(iy0 + KH, IN_H); iy++)
        for (int ix = max(ix0, 0); ix < min(ix0 + KW, IN_W); ix++) {
            sum += vec4(LOAD4(plane + iy * IN_W + ix));
            count++;
        }
    STORE4(TEXEL(pc.out0) + (n * (OUT_SC / 4) + c4) * OUT_H * OUT_W + p, count > 0 ? sum / float(count) : vec4(0));
}

const bool GLOBAL = OUT_H * OUT_W == 1;
// A global pool of a packed input (a squeeze-and-excite gate's): one invocation per channel quad summing the plane as
// texels, in workgroups of 8 so the quads spread over the threads. One invocation per channel, 4-strided scalar loads,
// took 1.0-1.6 ms for EfficientNet-B0's 56 x 56 gates on lavapipe (6.7 % of its GPU time); a workgroup per quad whose
// lanes summed in shared memory paid lavapipe's barrier and measured no better.
const bool GLOBAL_QUADS = GLOBAL && IN_PACKED != 0 && KH == IN_H && KW == IN_W && PAD_T == 0 && PAD_L == 0;

void globalQuad(int c4, int n) {
    if (c4 >= C / 4) return;
    int plane = TEXEL(pc.in0) + (n * (C / 4) + c4) * IN_H * IN_W;
    vec4 sum = vec4(0);
    for (int i = 0; i < IN_H * IN_W; i++) sum += vec4(LOAD4(plane + i));
    sum /= float(IN_H * IN_W);
    uint o = pc.out0 + uint(n * OUT_SC + c4 * 4); // C x 1 x 1: the same bytes whether the output is labelled packed or not
    for (int j = 0; j < 4; j++) STORE(o + uint(j), sum[j]);
}

void main() {
    if (GLOBAL_QUADS) { globalQuad(int(gl_GlobalInvocationID.x), int(gl_GlobalInvocationID.z)); return; }
    int p = GLOBAL ? 0 : int(gl_GlobalInvocationID.x);
    int c = GLOBAL ? int(gl_GlobalInvocationID.x) : int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p >= OUT_H * OUT_W || c >= (OUT_PACKED != 0 ? C / 4 : C)) return;
    if (OUT_PACKED != 0) { pooledQuad(p, c, n); return; }
    int iy0 = (p / OUT_W) * SH - PAD_T, ix0 = (p % OUT_W) * SW - PAD_L;
    // NC4HW4: channel c of pixel i is element ((n * C/4 + c/4) * IN_H*IN_W + i) * 4 + c%4.
    uint plane = IN_PACKED != 0 ? pc.in0 + uint((n * (C / 4) + c / 4) * IN_H * IN_W * 4 + c % 4) : pc.in0 + uint((n * C + c) * IN_H * IN_W);
    uint step = IN_PACKED != 0 ? 4u : 1u;
    float sum = 0.0;
    int count = 0;
    for (int iy = max(iy0, 0); iy < min(iy0 + KH, IN_H); iy++)
        for (int ix = max(ix0, 0); ix < min(ix0 + KW, IN_W); ix++) {
            sum += float(act[plane + uint(iy * IN_W + ix) * step]);
            count++;
        }
    STORE(pc.out0 + uint((n * OUT_SC + c) * OUT_H * OUT_W + p), count > 0 ? sum / float(count) : 0.0);
}
