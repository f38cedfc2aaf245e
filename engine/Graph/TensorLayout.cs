namespace GpuMobileNet.Graph;

/// <summary>How an activation's elements are ordered in GPU memory. The logical shape and the element count
/// stay the same (a tensor is packed only when its channel count is a multiple of 4, so there is no padding);
/// the CPU oracle works on logical NCHW whatever the layout.</summary>
internal enum TensorLayout
{
    /// <summary>Planar NCHW: element (n, c, y, x) at ((n*C + c)*H + y)*W + x.</summary>
    Nchw,
    /// <summary>Channel-packed NC4HW4 (ncnn's "pack4"): the 4 channels 4k..4k+3 of a pixel are one vec4, element
    /// (n, c, y, x) at (((n*C/4 + c/4)*H + y)*W + x)*4 + c%4. A kernel reads 4 channels of a pixel with one
    /// 16-byte load, and neighbouring invocations (neighbouring pixels) read neighbouring vec4s.</summary>
    Nc4hw4,
}
