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

/// <summary>An SSD's detections as the TensorFlow Object Detection API names them: per sample, up to
/// <see cref="SsdDecoderOptions.MaxDetections"/> detections after decoding, the score threshold and NMS, best first,
/// zero-padded: detection_boxes [K, 4] (ymin, xmin, ymax, xmax, normalised to the image), detection_classes [K] (class
/// index), detection_scores [K], num_detections [1].</summary>
internal sealed class SsdHostOutputs(SsdPostprocessor postprocessor, int boxesOutput, int classesOutput) : IHostOutputs
{
    private int K => postprocessor.Options.MaxDetections;

    public IReadOnlyList<(string Name, long[] Dims)> Outputs =>
        [("detection_boxes", [K, 4]), ("detection_classes", [K]), ("detection_scores", [K]), ("num_detections", [1])];

    public float[][] Apply(float[][] network, int samples)
    {
        float[] boxes = new float[samples * K * 4], classes = new float[samples * K], scores = new float[samples * K], counts = new float[samples];
        int boxLength = network[boxesOutput].Length / samples, classLength = network[classesOutput].Length / samples;
        for (int s = 0; s < samples; s++)
        {
            var found = postprocessor.Process(network[boxesOutput].AsSpan(s * boxLength, boxLength), network[classesOutput].AsSpan(s * classLength, classLength));
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
}
