#version 450
// Spatial resize, nearest or bilinear (ONNX Resize). x = output pixel, y = channel, z = batch item.
// Coordinates follow ResizeOp.Source; scales arrive as float bits in integer constants.
#include "common.glsl"

layout(constant_id = 1) const int C = 1;
layout(constant_id = 2) const int IN_H = 1;
layout(constant_id = 3) const int IN_W = 1;
layout(constant_id = 4) const int OUT_H = 1;
layout(constant_id = 5) const int OUT_W = 1;
layout(constant_id = 6) const int LINEAR = 0;
layout(constant_id = 7) const int COORD = 0;   // ResizeCoordinates
layout(constant_id = 8) const int NEAREST = 0; // ResizeNearest
layout(constant_id = 9) const int SCALE_H_BITS = 0;
layout(constant_id = 10) const int SCALE_W_BITS = 0;

float source(float x, float scale, int inSize) {
    float resized = float(inSize) * scale; // before flooring, as in ONNX's reference
    if (COORD == 0) return (x + 0.5) / scale - 0.5;
    if (COORD == 1) return x / scale;
    if (COORD == 2) return resized == 1.0 ? 0.0 : x * float(inSize - 1) / (resized - 1.0);
    if (COORD == 3) return resized > 1.0 ? (x + 0.5) / scale - 0.5 : 0.0;
    return (x + 0.5) / scale;
}

int nearest(float v, int size) {
    float f = floor(v);
    int i;
    if (NEAREST == 2) i = int(f);
    else if (NEAREST == 3) i = int(ceil(v));
    else if (v - f == 0.5) i = NEAREST == 0 ? int(f) : int(f) + 1;
    else i = int(floor(v + 0.5));
    return clamp(i, 0, size - 1);
}

void main() {
    int p = int(gl_GlobalInvocationID.x);
    int c = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p >= OUT_H * OUT_W) return;
    int oy = p / OUT_W, ox = p % OUT_W;
    float sy = source(float(oy), intBitsToFloat(SCALE_H_BITS), IN_H);
    float sx = source(float(ox), intBitsToFloat(SCALE_W_BITS), IN_W);
    uint plane = pc.in0 + uint((n * C + c) * IN_H * IN_W);
    float value;
    if (LINEAR == 0) {
        value = float(act[plane + uint(nearest(sy, IN_H) * IN_W + nearest(sx, IN_W))]);
    } else {
        sy = clamp(sy, 0.0, float(IN_H - 1));
        sx = clamp(sx, 0.0, float(IN_W - 1));
        int y0 = int(floor(sy)), x0 = int(floor(sx));
        int y1 = min(y0 + 1, IN_H - 1), x1 = min(x0 + 1, IN_W - 1);
        float dy = sy - float(y0), dx = sx - float(x0);
        float tl = float(act[plane + uint(y0 * IN_W + x0)]), tr = float(act[plane + uint(y0 * IN_W + x1)]);
        float bl = float(act[plane + uint(y1 * IN_W + x0)]), br = float(act[plane + uint(y1 * IN_W + x1)]);
        value = mix(mix(tl, tr, dx), mix(bl, br, dx), dy);
    }
    STORE(pc.out0 + uint((n * C + c) * OUT_H * OUT_W + p), value);
}
