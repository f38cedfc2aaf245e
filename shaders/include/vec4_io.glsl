// vec4 reads and writes for kernels whose tensors and weights start on a vec4 (the channel-packed kernels, dense).
// They read the arena and the weights as vec4 texels (bindings 4 and 5): on lavapipe a texel fetch at
// per-invocation indices is one vector gather, while a storage-buffer load at a non-constant index is a loop over
// the lanes and a uniform-buffer load a gather per float (the packed kernels ran 1.5x faster on texels); on a GPU
// it goes through the texture cache. The arena's texels are fp16 in the fp16-storage variants (the view's format
// follows the precision); texelFetch returns fp32 either way. Stores go to the storage buffer.
// TEXEL(e) is the texel of element offset e (packed tensors and weights start at multiples of 16 elements).
layout(binding = 4) uniform samplerBuffer actTexels;
layout(binding = 5) uniform samplerBuffer weightTexels;
#define TEXEL(e) int((e) >> 2)
#define LOAD4(t) real4(texelFetch(actTexels, t))
#define W4(t) real4(texelFetch(weightTexels, t))
// Int8 weights (Kernels/Int8Weights.cs): texel t is the 4 bytes of weight element t (one fp32 slot holds 4 int8 levels),
// read as snorm, level / 127; the kernel multiplies its sums by the row's scale (its largest |weight|).
layout(binding = 6) uniform samplerBuffer weightBytes;
#define W8(t) real4(texelFetch(weightBytes, t))
#if defined(FP16_STORAGE)
layout(std430, binding = 0) buffer ActivationsV4 { f16vec4 act4[]; };
#define STORE4(t, v) act4[t] = f16vec4(v)
#else
layout(std430, binding = 0) buffer ActivationsV4 { vec4 act4[]; };
#define STORE4(t, v) act4[t] = vec4(v)
#endif
