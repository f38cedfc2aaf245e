// Shared interface of every kernel (mirrors engine/Vulkan/PipelineLibrary.cs):
//   binding 0: the session's activation arena, binding 1: its weights, both as float arrays;
//   bindings 2, 3: windows of at most 64 KiB of the weights as uniform buffers (declared by kernels that use them);
//   bindings 4, 5: the arena and the weights again, as uniform texel buffers of 4-element texels (include/vec4_io.glsl);
//   binding 6: the weights as texels of 4 signed bytes read as snorm (int8 weights, include/vec4_io.glsl's W8);
//   push constants: element offsets of this dispatch's tensors inside those buffers.
// Specialization constant 0 is the workgroup size; each kernel numbers its own constants from 1.
layout(local_size_x_id = 0) in;

// Precision variants, compiled from the same source at build time (shaders/Shaders.targets):
//   default: fp32 everywhere; FP16_STORAGE: activations stored as fp16, arithmetic in fp32;
//   FP16_STORAGE + FP16_ARITH: arithmetic in fp16 too. Weights stay fp32 in every variant (or int8 where
// a kernel reads int8 weights through W8, with per-output-channel scales in fp32).
// A kernel that defines FP32_SUMS before including this file computes in fp32 in every variant (real = float):
// the depthwise kernels do, as with batch norm folded in their taps and bias are large and cancel. Measured on the
// nsfwjs weights, rocket.jpg: fp16 depthwise sums put the output 1.2e-2 off fp32, fp32 ones 1.4e-4.
// Kernels read activations with LOAD(i) and write them with STORE(i, v), and compute in `real` / `real4`.
#if defined(FP16_STORAGE)
#extension GL_EXT_shader_16bit_storage : require
layout(std430, binding = 0) buffer Activations { float16_t act[]; };
#else
layout(std430, binding = 0) buffer Activations { float act[]; };
#endif
#if defined(FP16_ARITH)
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#endif
#if defined(FP16_ARITH) && !defined(FP32_SUMS)
#define real float16_t
#define real4 f16vec4
#else
#define real float
#define real4 vec4
#endif
#define LOAD(i) real(act[i])
#define STORE(i, v) act[i] = ACT_STORE_T(v)
#if defined(FP16_STORAGE)
#define ACT_STORE_T float16_t
#else
#define ACT_STORE_T float
#endif
layout(std430, binding = 1) readonly buffer Weights { float wts[]; };
#define W(i) real(wts[i])

layout(push_constant) uniform Offsets {
    uint in0;     // first input
    uint in1;     // second input (residual / other addend), when the kernel has one
    uint out0;    // output
    uint weights; // weights, in the weights buffer
    uint bias;    // bias, in the weights buffer
    uint aux0;    // kernel-specific (e.g. first output channel of a dispatch that covers part of a layer)
    uint aux1;
    uint aux2;
} pc;

// Activation codes match GpuMobileNet.Graph.Activation.
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_RELU6 2
#define ACT_SIGMOID 3
#define ACT_HARD_SIGMOID 4
#define ACT_HARD_SWISH 5
#define ACT_SWISH 6
#define ACT_KERAS_HARD_SIGMOID 7
#define ACT_KERAS_HARD_SWISH 8
#define ACT_LEAKY_RELU 9 // slope 0.1 (engine/Runtime/Reference/ActivationMath.cs, LeakySlope)

real activate(real v, int kind) {
    if (kind == ACT_RELU) return max(v, real(0.0));
    if (kind == ACT_RELU6) return clamp(v, real(0.0), real(6.0));
    if (kind == ACT_SIGMOID) return real(1.0) / (real(1.0) + exp(-v));
    if (kind == ACT_HARD_SIGMOID) return clamp(v + real(3.0), real(0.0), real(6.0)) * real(1.0 / 6.0);
    if (kind == ACT_HARD_SWISH) return v * clamp(v + real(3.0), real(0.0), real(6.0)) * real(1.0 / 6.0);
    if (kind == ACT_SWISH) return v / (real(1.0) + exp(-v));
    if (kind == ACT_KERAS_HARD_SIGMOID) return clamp(v * real(0.2) + real(0.5), real(0.0), real(1.0));
    if (kind == ACT_KERAS_HARD_SWISH) return v * clamp(v * real(0.2) + real(0.5), real(0.0), real(1.0));
    if (kind == ACT_LEAKY_RELU) return max(v, v * real(0.1));
    return v;
}

real4 activate(real4 v, int kind) {
    if (kind == ACT_RELU) return max(v, real4(0.0));
    if (kind == ACT_RELU6) return clamp(v, real4(0.0), real4(6.0));
    if (kind == ACT_SIGMOID) return real4(1.0) / (real4(1.0) + exp(-v));
    if (kind == ACT_HARD_SIGMOID) return clamp(v + real4(3.0), real4(0.0), real4(6.0)) * real(1.0 / 6.0);
    if (kind == ACT_HARD_SWISH) return v * clamp(v + real4(3.0), real4(0.0), real4(6.0)) * real(1.0 / 6.0);
    if (kind == ACT_SWISH) return v / (real4(1.0) + exp(-v));
    if (kind == ACT_KERAS_HARD_SIGMOID) return clamp(v * real(0.2) + real4(0.5), real4(0.0), real4(1.0));
    if (kind == ACT_KERAS_HARD_SWISH) return v * clamp(v * real(0.2) + real4(0.5), real4(0.0), real4(1.0));
    if (kind == ACT_LEAKY_RELU) return max(v, v * real(0.1));
    return v;
}
