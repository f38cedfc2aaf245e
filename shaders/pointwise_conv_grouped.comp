#version 450
// Grouped 1x1 convolution (ShuffleNetV1's), NCHW in and out, optionally reading its input through a channel shuffle:
// with SHUFFLE > 1, input channel c is read from channel (c % SHUFFLE) * (IN_C / SHUFFLE) + c / SHUFFLE, so the
// shuffle before this conv costs an index computation instead of a pass over the tensor.
// Each invocation computes PX pixels (i, i+L, ..., neighbouring invocations on neighbouring pixels) x OT output
// channels of one group; its weights are the same for the whole workgroup (one output block per grid row).
// x = pixel blocks, y = output-channel block (BLOCKS per group, groups in order), z = batch item.
#include "common.glsl"

layout(constant_id = 1) const int IN_C = 1;
layout(constant_id = 2) const int OUT_C = 1;
layout(constant_id = 3) const int HW = 1;
layout(constant_id = 4) const int GROUPS = 1;
layout(constant_id = 5) const int HAS_BIAS = 0;
layout(constant_id = 6) const int ACT = 0;
layout(constant_id = 7) const int HAS_RESIDUAL = 0;
layout(constant_id = 8) const int SHUFFLE = 1;
// Channels per batch item of the tensor written (0: OUT_C). Wider where the conv writes its channels of a concatenation
// (ConcatPartWriteOp: ShuffleNetV1's stride-2 branch in a planar stage), pc.out0 then at its first channel; no residual then.
layout(constant_id = 9) const int OUT_STRIDE_C = 0;
const int OUT_SC = OUT_STRIDE_C > 0 ? OUT_STRIDE_C : OUT_C;

const int OT = 8;
const int PX = 4;
const int IC_G = IN_C / GROUPS;
const int OC_G = OUT_C / GROUPS;
const int BLOCKS = (OC_G + OT - 1) / OT;

void main() {
    int L = int(gl_WorkGroupSize.x);
    int p0 = int(gl_WorkGroupID.x) * L * PX + int(gl_LocalInvocationID.x);
    int blk = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p0 >= HW) return;
    int g = blk / BLOCKS;
    int ocLocal0 = (blk % BLOCKS) * OT;

    int pix[PX];
    for (int k = 0; k < PX; k++) pix[k] = min(p0 + k * L, HW - 1);
    // Rows past the group's end (OC_G not a multiple of OT) read the group's last row and are not stored.
    int wRow[OT];
    for (int t = 0; t < OT; t++) wRow[t] = int(pc.weights) + (g * OC_G + min(ocLocal0 + t, OC_G - 1)) * IC_G;

    real acc[OT * PX];
    for (int i = 0; i < OT * PX; i++) acc[i] = real(0);
    for (int ic = 0; ic < IC_G; ic++) {
        int c = g * IC_G + ic;
        int src = SHUFFLE > 1 ? (c % SHUFFLE) * (IN_C / SHUFFLE) + c / SHUFFLE : c;
        uint plane = pc.in0 + uint((n * IN_C + src) * HW);
        real x[PX];
        for (int k = 0; k < PX; k++) x[k] = LOAD(plane + uint(pix[k]));
        for (int t = 0; t < OT; t++) {
            real w = W(wRow[t] + ic);
            for (int k = 0; k < PX; k++) acc[t * PX + k] = fma(w, x[k], acc[t * PX + k]);
        }
    }
    for (int t = 0; t < OT; t++) {
        if (ocLocal0 + t >= OC_G) break;
        int co = g * OC_G + ocLocal0 + t;
        real b = HAS_BIAS != 0 ? W(pc.bias + co) : real(0);
        for (int k = 0; k < PX; k++) {
            int p = p0 + k * L;
            if (p >= HW) break;
            uint o = uint((n * OUT_SC + co) * HW + p);
            real s = acc[t * PX + k] + b;
            if (HAS_RESIDUAL != 0) s += LOAD(pc.in1 + o);
            STORE(pc.out0 + o, activate(s, ACT));
        }
    }
}
