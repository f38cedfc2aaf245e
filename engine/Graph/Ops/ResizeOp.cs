namespace GpuMobileNet.Graph.Ops;

/// <summary>How a <see cref="ResizeOp"/> maps an output coordinate to the input (ONNX coordinate_transformation_mode).</summary>
internal enum ResizeCoordinates
{
    /// <summary>in = (out + 0.5) / scale - 0.5.</summary>
    HalfPixel = 0,
    /// <summary>in = out / scale.</summary>
    Asymmetric = 1,
    /// <summary>in = out x (in size - 1) / (out size - 1).</summary>
    AlignCorners = 2,
    /// <summary>As half_pixel, but 0 where the output size is 1.</summary>
    PytorchHalfPixel = 3,
    /// <summary>in = (out + 0.5) / scale (TensorFlow's nearest).</summary>
    TfHalfPixelForNn = 4,
}

/// <summary>ONNX nearest_mode: how a fractional input coordinate picks a pixel.</summary>
internal enum ResizeNearest
{
    /// <summary>Round, halves down.</summary>
    RoundPreferFloor = 0,
    /// <summary>Round, halves up.</summary>
    RoundPreferCeil = 1,
    /// <summary>Round down.</summary>
    Floor = 2,
    /// <summary>Round up.</summary>
    Ceil = 3,
}

/// <summary>Spatial resize (ONNX Resize/Upsample): nearest or bilinear, with the given scales (output = floor(in x scale),
/// or the sizes asked for, scale = out / in).</summary>
internal sealed record ResizeOp(string Name, Value Input, Value Output, bool Linear, ResizeCoordinates Coordinates,
    ResizeNearest Nearest, float ScaleH, float ScaleW) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];
    /// <inheritdoc/>
    public override string OpType => "Resize";

    /// <summary>The input coordinate of output coordinate <paramref name="x"/> along an axis (before clamping). As in
    /// ONNX's reference, the resized length is input x scale before flooring (with sizes given, the output size).</summary>
    public static double Source(double x, float scale, int inSize, ResizeCoordinates mode)
    {
        double resized = (double)inSize * scale;
        return mode switch
        {
            ResizeCoordinates.HalfPixel => (x + 0.5) / scale - 0.5,
            ResizeCoordinates.Asymmetric => x / scale,
            ResizeCoordinates.AlignCorners => resized == 1 ? 0 : x * (inSize - 1) / (resized - 1),
            ResizeCoordinates.PytorchHalfPixel => resized > 1 ? (x + 0.5) / scale - 0.5 : 0,
            _ => (x + 0.5) / scale,
        };
    }
}
