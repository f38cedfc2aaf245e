using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Detection.Host;

/// <summary>A tensor on the host in ncnn's planar order: <see cref="C"/> planes of <see cref="H"/> rows of
/// <see cref="W"/> values (a 2-D result such as DetectionOutput's is C = 1, H = rows, W = 6). <see cref="Dims"/> is ncnn's
/// rank (1: w, 2: h x w, 3: c x h x w), which ncnn's axis parameters count in.</summary>
internal sealed record HostTensor(int C, int H, int W, float[] Data, int Dims = 3)
{
    /// <summary>C x H x W.</summary>
    public int Elements => C * H * W;
}

/// <summary>A layer whose work is post-processing and runs on the host after the network, as our SSD decoding does:
/// ncnn's PriorBox, DetectionOutput, Yolov3DetectionOutput and YoloDetectionOutput. Its inputs are network outputs
/// (or other host layers' outputs), one sample at a time.</summary>
internal abstract class HostLayer
{
    /// <summary>The ncnn layer type, e.g. "DetectionOutput".</summary>
    public abstract string Type { get; }

    /// <summary>Runs the layer on one sample's inputs, in the layer's bottom order.</summary>
    public abstract HostTensor Run(IReadOnlyList<HostTensor> inputs);
}
