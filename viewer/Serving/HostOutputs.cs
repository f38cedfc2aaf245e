using GpuMobileNet.Detection;

namespace GpuMobileNet.Viewer.Serving;

/// <summary>A host stage after the device run that serves other outputs than the network's: what a client wants from
/// the model rather than its raw tensors (an SSD's decoded boxes instead of its anchors' encodings).</summary>
internal interface IHostOutputs
{
    /// <summary>The outputs served, each with its per-sample dimensions.</summary>
    IReadOnlyList<(string Name, long[] Dims)> Outputs { get; }

    /// <summary>The served outputs of <paramref name="samples"/> samples from the network's (per graph output, samples
    /// back to back), in the same layout.</summary>
    float[][] Apply(float[][] network, int samples);
}

/// <summary>A detector's detections as the TensorFlow Object Detection API names them: per sample, up to
/// <paramref name="maxDetections"/> detections, best first, zero-padded: detection_boxes [K, 4] (ymin, xmin, ymax, xmax,
/// normalised to the image), detection_classes [K] (class index), detection_scores [K], num_detections [1].</summary>
internal abstract class DetectionHostOutputs(int maxDetections) : IHostOutputs
{
    private int K => maxDetections;

    public IReadOnlyList<(string Name, long[] Dims)> Outputs =>
        [("detection_boxes", [K, 4]), ("detection_classes", [K]), ("detection_scores", [K]), ("num_detections", [1])];

    public float[][] Apply(float[][] network, int samples)
    {
        float[] boxes = new float[samples * K * 4], classes = new float[samples * K], scores = new float[samples * K], counts = new float[samples];
        for (int s = 0; s < samples; s++)
        {
            var found = Detect(network, s, samples);
            counts[s] = Math.Min(found.Count, K);
            for (int i = 0; i < counts[s]; i++)
            {
                var d = found[i];
                int at = s * K + i;
                (boxes[4 * at], boxes[4 * at + 1], boxes[4 * at + 2], boxes[4 * at + 3]) = (d.Box.YMin, d.Box.XMin, d.Box.YMax, d.Box.XMax);
                (classes[at], scores[at]) = (d.ClassId, d.Score);
            }
        }
        return [boxes, classes, scores, counts];
    }

    /// <summary>Sample <paramref name="sample"/>'s detections, best first, from the network's outputs (per graph
    /// output, <paramref name="samples"/> samples back to back).</summary>
    protected abstract IReadOnlyList<GpuMobileNet.Detection.Detection> Detect(float[][] network, int sample, int samples);

    /// <summary>One sample's part of a graph output that holds <paramref name="samples"/> samples back to back.</summary>
    protected static ReadOnlySpan<float> SampleOf(float[] output, int sample, int samples)
    {
        int length = output.Length / samples;
        return output.AsSpan(sample * length, length);
    }
}

/// <summary>An SSD's decoded detections: its box and class heads through the anchors' decoding, the score threshold and
/// NMS (<see cref="SsdPostprocessor"/>), up to <see cref="SsdDecoderOptions.MaxDetections"/>.</summary>
internal sealed class SsdHostOutputs(SsdPostprocessor postprocessor, int boxesOutput, int classesOutput)
    : DetectionHostOutputs(postprocessor.Options.MaxDetections)
{
    protected override IReadOnlyList<GpuMobileNet.Detection.Detection> Detect(float[][] network, int sample, int samples) =>
        postprocessor.Process(SampleOf(network[boxesOutput], sample, samples), SampleOf(network[classesOutput], sample, samples));
}
