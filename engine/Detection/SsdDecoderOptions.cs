namespace GpuMobileNet.Detection;

/// <summary>How raw SSD outputs become boxes and scores (MediaPipe's TensorsToDetectionsCalculatorOptions and
/// NonMaxSuppressionCalculatorOptions; box encodings in the TF Object Detection API order y, x, h, w).
/// Thread-safety: immutable (init-only); one instance may be shared. The lists it holds are not copied: do not change
/// them.</summary>
/// <param name="NumClasses">Scores per anchor, background included.</param>
/// <param name="XScale">Divides the encoded x centre offset.</param>
/// <param name="YScale">Divides the encoded y centre offset.</param>
/// <param name="WScale">Divides the encoded log width.</param>
/// <param name="HScale">Divides the encoded log height.</param>
/// <param name="SigmoidScore">Raw class predictions are logits: a sigmoid turns them into scores.</param>
/// <param name="IgnoreClasses">Class ids never reported (0: the background).</param>
/// <param name="MinScore">Detections scoring below are dropped before NMS.</param>
/// <param name="IouThreshold">NMS: a box overlapping a better-scored kept box by more than this intersection over union is dropped.</param>
/// <param name="MaxDetections">NMS keeps at most this many.</param>
/// <param name="PerClassNms">True: boxes suppress only boxes of their own class; false: class-agnostic (MediaPipe).</param>
public sealed record SsdDecoderOptions(
    int NumClasses, float XScale, float YScale, float WScale, float HScale, bool SigmoidScore,
    IReadOnlyList<int> IgnoreClasses, float MinScore, float IouThreshold, int MaxDetections, bool PerClassNms = false)
{
    /// <summary>The decoding of MediaPipe's objectron SSD-MobileNetV2, from the graph config serialised in npm
    /// @mediapipe/objectron@0.4.1675468480's objectron_solution_simd_wasm_bin.wasm: TensorsToDetectionsCalculator
    /// (around byte 6,223,480): num_classes 24, num_boxes 1917, num_coords 4, x_scale 10, y_scale 10, w_scale 5,
    /// h_scale 5, ignore_classes 0, apply_exponential_on_box_size true, sigmoid_score true, min_score_thresh 0.5;
    /// NonMaxSuppressionCalculator (around byte 6,223,790): max_num_detections 100, min_suppression_threshold 0.5,
    /// overlap_type INTERSECTION_OVER_UNION, default (greedy) algorithm, one class per box.</summary>
    public static SsdDecoderOptions ObjectronSsdMobileNetV2 { get; } = new(24, 10, 10, 5, 5, true, [0], 0.5f, 0.5f, 100);
}
