namespace GpuMobileNet.Detection;

/// <summary>How SSD anchors are laid out over the feature maps (MediaPipe's SsdAnchorsCalculatorOptions).
/// Thread-safety: immutable (init-only); one instance may be shared. The lists it holds are not copied: do not change
/// them.</summary>
/// <param name="InputWidth">Model input width in pixels.</param>
/// <param name="InputHeight">Model input height in pixels.</param>
/// <param name="MinScale">Anchor scale of the first prediction layer.</param>
/// <param name="MaxScale">Anchor scale of the last prediction layer.</param>
/// <param name="AnchorOffsetX">Anchor centre within its cell, as a fraction of the cell (0.5: the middle).</param>
/// <param name="AnchorOffsetY">Same, vertically.</param>
/// <param name="Strides">Stride of each prediction layer's feature map, first to last.</param>
/// <param name="AspectRatios">Width / height ratios of the anchors of each cell.</param>
/// <param name="InterpolatedScaleAspectRatio">Aspect ratio of one extra anchor per cell whose scale is the geometric
/// mean of this layer's and the next layer's; 0 for none.</param>
/// <param name="ReduceBoxesInLowestLayer">The first layer gets only three anchors: scale 0.1 at ratio 1, and ratios 2 and 0.5.</param>
public sealed record SsdAnchorOptions(
    int InputWidth, int InputHeight, float MinScale, float MaxScale, float AnchorOffsetX, float AnchorOffsetY,
    IReadOnlyList<int> Strides, IReadOnlyList<float> AspectRatios, float InterpolatedScaleAspectRatio, bool ReduceBoxesInLowestLayer)
{
    /// <summary>The anchors of MediaPipe's objectron SSD-MobileNetV2 (object_detection_ssd_mobilenetv2_oidv4_fp16.tflite).
    /// The numbers are those of the SsdAnchorsCalculator node in the graph config that npm
    /// @mediapipe/objectron@0.4.1675468480 serialises inside objectron_solution_simd_wasm_bin.wasm (around byte
    /// 6,223,330, after "anchors:"): input_size 300 x 300, min_scale 0.2, max_scale 0.95, anchor_offset 0.5 / 0.5,
    /// num_layers 6, strides 16 32 64 128 256 512, aspect_ratios 1.0 2.0 0.5 3.0 0.3333,
    /// reduce_boxes_in_lowest_layer true; interpolated_scale_aspect_ratio is unset there, so its proto default 1.0 holds.
    /// That gives 19², 10², 5², 3², 2², 1² cells with 3, 6, 6, 6, 6, 6 anchors: 1917.</summary>
    public static SsdAnchorOptions ObjectronSsdMobileNetV2 { get; } = new(
        300, 300, 0.2f, 0.95f, 0.5f, 0.5f, [16, 32, 64, 128, 256, 512], [1.0f, 2.0f, 0.5f, 3.0f, 0.3333f], 1.0f, true);
}
