#version 450
// A raw RGBA8 frame of any size -> the network's normalised NCHW input, stretched with align-corners
// bilinear sampling: the arithmetic of engine/Imaging/ImagePreprocessor.cs (normalise each source pixel,
// then interpolate), so the host never touches floats.
// The frame arrives through binding 1 (the dispatch's own descriptor set binds the frame buffer where the
// network's weights usually are): word 0 = width, word 1 = height, then one packed pixel per word, rows top
// to bottom, R in the low byte. It is declared here as uints, aliasing common.glsl's float view of that binding
// (Vulkan allows aliased declarations): reading pixels as floats could flush denormal patterns on some GPUs.
// One invocation per output pixel writes its three channels.
#include "common.glsl"

layout(std430, binding = 1) readonly buffer Frame { uint frame[]; };

layout(constant_id = 1) const int OUT_W = 1;
layout(constant_id = 2) const int OUT_H = 1;
layout(constant_id = 3) const float SCALE = 1.0;
layout(constant_id = 4) const float MEAN_R = 0.0;
layout(constant_id = 5) const float MEAN_G = 0.0;
layout(constant_id = 6) const float MEAN_B = 0.0;
layout(constant_id = 7) const float STD_R = 1.0;
layout(constant_id = 8) const float STD_G = 1.0;
layout(constant_id = 9) const float STD_B = 1.0;
// 1: the pixels are BGRA8 (B in the low byte), as a host's B8G8R8A8 image copied to the buffer is.
layout(constant_id = 10) const int BGRA = 0;

#define WORD(i) frame[pc.weights + (i)]

vec3 normalised(uint packed) {
    vec3 p = vec3(float(packed & 0xffu), float((packed >> 8) & 0xffu), float((packed >> 16) & 0xffu));
    if (BGRA != 0) p = p.bgr;
    return (p * SCALE - vec3(MEAN_R, MEAN_G, MEAN_B)) / vec3(STD_R, STD_G, STD_B);
}

// Source position of output coordinate o along an axis of `inSize` pixels, as an integer part and a fraction.
// alignCorners maps o to o*(in-1)/(out-1); integer arithmetic keeps the position exact, where float would
// be off by up to an ulp of the coordinate (3e-5 of a pixel at 512 wide, visible at 1e-5 tolerance).
void sourcePos(uint o, uint outSize, uint inSize, out uint i0, out uint i1, out float frac) {
    if (outSize <= 1u) { i0 = 0u; i1 = 0u; frac = 0.0; return; }
    uint num = o * (inSize - 1u), den = outSize - 1u;
    i0 = num / den;
    frac = float(num % den) / float(den);
    i1 = min(i0 + 1u, inSize - 1u);
}

void main() {
    uint idx = gl_GlobalInvocationID.x;
    uint plane = uint(OUT_W * OUT_H);
    if (idx >= plane) return;
    uint x = idx % uint(OUT_W), y = idx / uint(OUT_W);
    uint inW = WORD(0u), inH = WORD(1u);
    uint x0, x1, y0, y1;
    float dx, dy;
    sourcePos(x, uint(OUT_W), inW, x0, x1, dx);
    sourcePos(y, uint(OUT_H), inH, y0, y1, dy);
    vec3 tl = normalised(WORD(2u + y0 * inW + x0)), tr = normalised(WORD(2u + y0 * inW + x1));
    vec3 bl = normalised(WORD(2u + y1 * inW + x0)), br = normalised(WORD(2u + y1 * inW + x1));
    vec3 top = tl + (tr - tl) * dx, bottom = bl + (br - bl) * dx;
    vec3 v = top + (bottom - top) * dy;
    STORE(pc.out0 + idx, v.r);
    STORE(pc.out0 + plane + idx, v.g);
    STORE(pc.out0 + 2u * plane + idx, v.b);
}
