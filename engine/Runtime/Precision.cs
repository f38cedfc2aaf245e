namespace GpuMobileNet.Runtime;

/// <summary>Number format of activations in GPU memory and of the kernels' arithmetic. Weights stay fp32.
/// Thread-safety: a plain enum value, thread-safe.</summary>
public enum Precision
{
    /// <summary>fp32 storage and arithmetic (the default).</summary>
    Float32,
    /// <summary>Activations stored as fp16 (half the memory traffic), arithmetic in fp32.</summary>
    Float16Storage,
    /// <summary>Activations stored as fp16 and kernels computing in fp16.</summary>
    Float16,
}
