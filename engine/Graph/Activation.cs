namespace GpuMobileNet.Graph;

/// <summary>Element-wise activation applied by an op after its arithmetic (fusable into producers).
/// The numeric values are shared with the shaders' ACT specialization constant.</summary>
internal enum Activation
{
    /// <summary>No activation: the value as computed.</summary>
    None = 0,
    /// <summary>max(x, 0).</summary>
    Relu = 1,
    /// <summary>min(max(x, 0), 6), MobileNet's activation.</summary>
    Relu6 = 2,
    /// <summary>1 / (1 + e^-x).</summary>
    Sigmoid = 3,
    /// <summary>clamp(x / 6 + 1/2, 0, 1) (MobileNetV3's h-sigmoid, = ReLU6(x + 3) / 6).</summary>
    HardSigmoid = 4,
    /// <summary>x · ReLU6(x + 3) / 6 (MobileNetV3's h-swish).</summary>
    HardSwish = 5,
    /// <summary>x / (1 + e^-x) = x · sigmoid(x) (EfficientNet's swish, SiLU).</summary>
    Swish = 6,
    /// <summary>clamp(x / 5 + 1/2, 0, 1): Keras's hard_sigmoid, and ONNX's and ncnn's HardSigmoid with their default
    /// alpha 0.2 and beta 0.5.</summary>
    KerasHardSigmoid = 7,
    /// <summary>x · clamp(x / 5 + 1/2, 0, 1): ncnn's HardSwish with its default alpha 0.2 and beta 0.5.</summary>
    KerasHardSwish = 8,
    /// <summary>x for x &gt; 0, else 0.1 x: leaky ReLU with darknet's slope (<see cref="Runtime.Reference.ActivationMath.LeakySlope"/>,
    /// every YOLO of ncnn's benchmark list), so a convolution applies it itself; other slopes are decomposed by the importers.</summary>
    LeakyRelu = 9,
}
