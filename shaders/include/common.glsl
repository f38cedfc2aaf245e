// Shared interface of every kernel (mirrors engine/Vulkan/PipelineLibrary.cs):
//   binding 0: the session's activation arena, binding 1: its weights, both as float arrays;
//   bindings 2, 3: windows of at most 64 KiB of the weights as uniform buffers (declared by kernels that use them);
//   push constants: element offsets of this dispatch's tensors inside those buffers.
// Specialization constant 0 is the workgroup size; each kernel numbers its own constants from 1.
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) buffer Activations { float act[]; };
layout(std430, binding = 1) readonly buffer Weights { float wts[]; };

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

float activate(float v, int kind) {
    if (kind == ACT_RELU) return max(v, 0.0);
    if (kind == ACT_RELU6) return clamp(v, 0.0, 6.0);
    return v;
}
