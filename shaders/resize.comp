#version 450
// Spatial resize, nearest or bilinear (ONNX Resize, ncnn Interp). x = output pixel, y = channel (PACKED: channel
// quad, input and output NC4HW4, one texel per tap), z = batch item.
// Coordinates follow ResizeOp.Source; scales arrive as float bits in integer constants.
#include "common.glsl"
#include "vec4_io.glsl"

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
layout(constant_id = 11) const int PACKED = 0; // 1: NC4HW4 in and out (C a multiple of 4)

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

// Texel (PACKED) or element index of input pixel (y, x) of the current plane.
int at(int plane, int y, int x) { return plane + y * IN_W + x; }

void main() {
    int p = int(gl_GlobalInvocationID.x);
    int c = int(gl_GlobalInvocationID.y);
    int n = int(gl_GlobalInvocationID.z);
    if (p >= OUT_H * OUT_W) return;
    int oy = p / OUT_W, ox = p % OUT_W;
    float sy = source(float(oy), intBitsToFloat(SCALE_H_BITS), IN_H);
    float sx = source(float(ox), intBitsToFloat(SCALE_W_BITS), IN_W);
    int planes = PACKED != 0 ? C / 4 : C;
    int plane = (PACKED != 0 ? TEXEL(pc.in0) : int(pc.in0)) + (n * planes + c) * IN_H * IN_W;
    int y0, x0, y1, x1;
    float dy = 0.0, dx = 0.0;
    if (LINEAR == 0) {
        y0 = y1 = nearest(sy, IN_H);
        x0 = x1 = nearest(sx, IN_W);
    } else {
        sy = clamp(sy, 0.0, float(IN_H - 1));
        sx = clamp(sx, 0.0, float(IN_W - 1));
        y0 = int(floor(sy)); x0 = int(floor(sx));
        y1 = min(y0 + 1, IN_H - 1); x1 = min(x0 + 1, IN_W - 1);
        dy = sy - float(y0); dx = sx - float(x0);
    }
    int o = (n * planes + c) * OUT_H * OUT_W + p;
    if (PACKED != 0) {
        vec4 value = vec4(LOAD4(at(plane, y0, x0)));
        if (LINEAR != 0) {
            vec4 tr = vec4(LOAD4(at(plane, y0, x1))), bl = vec4(LOAD4(at(plane, y1, x0))), br = vec4(LOAD4(at(plane, y1, x1)));
            value = mix(mix(value, tr, dx), mix(bl, br, dx), dy);
        }
        STORE4(TEXEL(pc.out0) + o, value);
        return;
    }
    float value = float(act[at(plane, y0, x0)]);
    if (LINEAR != 0) {
        float tr = float(act[at(plane, y0, x1)]), bl = float(act[at(plane, y1, x0)]), br = float(act[at(plane, y1, x1)]);
        value = mix(mix(value, tr, dx), mix(bl, br, dx), dy);
    }
    STORE(pc.out0 + uint(o), value);
}
