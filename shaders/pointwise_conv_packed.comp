#version 450
// 1x1 convolution on channel-packed tensors (NC4HW4: the 4 channels 4k..4k+3 of a pixel are one vec4), one
// dispatch per layer. Each invocation computes PX pixels x OC_TILE output channels; a workgroup of L invocations
// covers L*PX pixels with invocation i taking pixels i, i+L, i+2L, ..., so at every load neighbouring invocations
// read neighbouring vec4s (coalesced on a GPU). Per 4 input channels it fetches one vec4 per pixel and, for each of
// those channels, OC_TILE/4 weight vec4s (4 output channels each), each feeding PX pixels; the sums of 4
// consecutive output channels of a pixel are stored as one vec4.
// Inputs and weights are read as texel buffers (bindings 4 and 5, see vec4_io.glsl): on lavapipe that is a vector
// gather, where a storage-buffer load at a non-constant index is a loop over the lanes and a uniform-buffer load a
// gather per float. Weights are packed by PointwiseConvPackedKernel as [block of OC_TILE][IN_C][OC_TILE].
// GATED (GatedPointwiseConvKernel): each input texel is scaled by the matching texel of a per-channel gate
// (C x 1 x 1 per sample at pc.aux0, a squeeze-and-excite product) as it is read, instead of a pass over the tensor,
// then GATE_ACT applied to the product (the activation MobileNetV3 puts between the product and the 1x1).
// GATHER (MappedConvKernel): input quad q (channels 4q..4q+3) is quad table[q] of the input tensor, the table at
// pc.aux1 one texel per quad (the index as a float, repeated); the input tensor has IN_STRIDE_C4 quads per batch item
// (0: IN_C / 4), so it may be wider than IN_C. SCATTER: output quad q goes to quad table[q] of the output tensor (table
// at pc.aux2), which has OUT_STRIDE_C4 quads per batch item and whose other quads are left as they are. Whole quads
// only: FoldChannelViews places a concatenation's channels so that every reader and writer moves whole vec4s (one
// with per-channel tables and a scalar path measured 10x slower on lavapipe: the tile no longer stayed in registers).
// WEIGHT_SETS > 1 (WinogradConvKernel's batched GEMM): batch item z uses weight set z % WEIGHT_SETS, each set packed as
// above one after the other, so one dispatch runs that many independent GEMMs (one per Winograd tile position).
// INT8_WEIGHTS (Int8Weights.cs): the weights are int8 levels read through the snorm byte view (W8, a quarter of the
// bytes), after a vec4 of fp32 scales per 4 output channels (blocks x OC_TILE of them, at pc.weights); the sums are
// multiplied by their channel's scale before the bias. Levels start right after the scales, element = byte texel.
// Two more kernels are built from this source with a define (Shaders.targets), each with its own store: that code in
// this one's store loop stopped NIR unrolling the tile, every packed 1x1 6-8x slower on lavapipe, even where a
// specialisation constant turned it off. NARROW_RESIDUAL (pointwise_conv_packed_narrow_residual): the residual has RES_C4
// quads per batch item, fewer than the output's, and the quads past them add zero (FoldResidualChannelPad: BlazeFace's
// zero-padded shortcut read unpadded). NHWC_STORE (pointwise_conv_packed_nhwc, ChannelsLastConvKernel; no residual): the
// output is channels-last, each pixel's first OUT_NHWC channels one after the other (a Transpose to [H, W, C] folded
// into the store), scalar stores; the channels past them are dropped.
// x = PX pixels per invocation, y = block of OC_TILE output channels, z = batch item.
#include "common.glsl"
#include "vec4_io.glsl"

layout(constant_id = 1) const int IN_C = 4;      // multiple of 4
layout(constant_id = 2) const int OUT_C = 4;     // multiple of 4
layout(constant_id = 3) const int HW = 1;
layout(constant_id = 4) const int HAS_BIAS = 0;
layout(constant_id = 5) const int ACT = 0;
layout(constant_id = 6) const int HAS_RESIDUAL = 0;
layout(constant_id = 7) const int OC_TILE = 16;  // multiple of 4
layout(constant_id = 8) const int PX = 8;
layout(constant_id = 9) const int GATED = 0;
layout(constant_id = 10) const int GATHER = 0;
layout(constant_id = 11) const int IN_STRIDE_C4 = 0;
layout(constant_id = 12) const int SCATTER = 0;
layout(constant_id = 13) const int OUT_STRIDE_C4 = 0;
layout(constant_id = 14) const int WEIGHT_SETS = 1;
layout(constant_id = 15) const int GATE_ACT = 0;
layout(constant_id = 16) const int INT8_WEIGHTS = 0;
#if defined(NARROW_RESIDUAL) || defined(NHWC_STORE)
layout(constant_id = 17) const int RES_C4 = 0;
layout(constant_id = 18) const int OUT_NHWC = 0;
#endif

const int V = OC_TILE / 4;
const int IN_C4 = IN_C / 4;
const int OUT_C4 = OUT_C / 4;
const int IN_SC4 = IN_STRIDE_C4 > 0 ? IN_STRIDE_C4 : IN_C4;
const int OUT_SC4 = OUT_STRIDE_C4 > 0 ? OUT_STRIDE_C4 : OUT_C4;

// Entry q of a quad table in the weights (one texel per entry).
int tableQuad(uint table, int q) { return int(texelFetch(weightTexels, TEXEL(table) + q).x); }

void main() {
    int L = int(gl_WorkGroupSize.x);
    int p0 = int(gl_WorkGroupID.x) * L * PX + int(gl_LocalInvocationID.x); // this invocation's first pixel; then every L-th
    int blk = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p0 >= HW) return;

    real4 acc[PX * V];
    for (int i = 0; i < PX * V; i++) acc[i] = real4(0);
#if defined(FP16_ARITH)
    // fp16 partial sums are folded into fp32 totals every FOLD input channels (see pointwise_conv_tiled.comp).
    const int FOLD = 32;
    vec4 total[PX * V];
    for (int i = 0; i < PX * V; i++) total[i] = vec4(0);
#endif
    // Clamped pixel indices keep the tail's loads in range; their results are not stored.
    int pix[PX];
    for (int k = 0; k < PX; k++) pix[k] = min(p0 + k * L, HW - 1);

    int inBase = TEXEL(pc.in0) + n * IN_SC4 * HW;
    int blocks = (OUT_C + OC_TILE - 1) / OC_TILE;
    int wSet = ((n % WEIGHT_SETS) * blocks + blk) * IN_C * V;
    int wBase = INT8_WEIGHTS != 0 ? int(pc.weights) + blocks * OC_TILE + wSet : TEXEL(pc.weights) + wSet;
    for (int c4 = 0; c4 < IN_C4; c4++) {
        real4 x[PX];
        int row = inBase + (GATHER != 0 ? tableQuad(pc.aux1, c4) : c4) * HW;
        for (int k = 0; k < PX; k++) x[k] = LOAD4(row + pix[k]);
        if (GATED != 0) {
            real4 g = LOAD4(TEXEL(pc.aux0) + n * IN_C4 + c4);
            for (int k = 0; k < PX; k++) x[k] = activate(x[k] * g, GATE_ACT);
        }
        // All the weight texels of these 4 input channels first, then pixel by pixel: each pixel's sums are read and
        // written back once per 4 input channels (lavapipe keeps them in memory, there are more than registers),
        // where fetching a weight and applying it to every pixel touched every sum 4 times (measured 10-20% slower).
        real4 w[4 * V];
        for (int i = 0; i < 4 * V; i++) w[i] = INT8_WEIGHTS != 0 ? W8(wBase + c4 * 4 * V + i) : W4(wBase + c4 * 4 * V + i);
        for (int k = 0; k < PX; k++)
            for (int v = 0; v < V; v++)
                for (int j = 0; j < 4; j++) acc[k * V + v] = fma(w[j * V + v], real4(x[k][j]), acc[k * V + v]);
#if defined(FP16_ARITH)
        if (c4 % (FOLD / 4) == FOLD / 4 - 1)
            for (int i = 0; i < PX * V; i++) { total[i] += vec4(acc[i]); acc[i] = real4(0); }
#endif
    }
#if defined(FP16_ARITH)
    for (int i = 0; i < PX * V; i++) total[i] += vec4(acc[i]);
#define TILE_SUM(i) real4(total[i])
#else
#define TILE_SUM(i) acc[i]
#endif

    int c4o0 = blk * V;
    for (int v = 0; v < V; v++) {
        int c4o = c4o0 + v;
        if (c4o >= OUT_C4) break;
        real4 b = HAS_BIAS != 0 ? W4(TEXEL(pc.bias) + c4o) : real4(0);
        real4 scale = INT8_WEIGHTS != 0 ? W4(TEXEL(pc.weights) + c4o) : real4(1);
        int o = (n * OUT_SC4 + (SCATTER != 0 ? tableQuad(pc.aux2, c4o) : c4o)) * HW;
        for (int k = 0; k < PX; k++) {
            int p = p0 + k * L;
            if (p >= HW) break;
            real4 s = TILE_SUM(k * V + v) * scale + b;
#if defined(NARROW_RESIDUAL)
            if (c4o < RES_C4) s += LOAD4(TEXEL(pc.in1) + (n * RES_C4 + c4o) * HW + p);
            STORE4(TEXEL(pc.out0) + o + p, activate(s, ACT));
#elif defined(NHWC_STORE)
            real4 a = activate(s, ACT);
            for (int j = 0; j < 4; j++)
                if (c4o * 4 + j < OUT_NHWC) STORE(pc.out0 + uint((n * HW + p) * OUT_NHWC + c4o * 4 + j), a[j]);
#else
            if (HAS_RESIDUAL != 0) s += LOAD4(TEXEL(pc.in1) + o + p);
            STORE4(TEXEL(pc.out0) + o + p, activate(s, ACT));
#endif
        }
    }
}
