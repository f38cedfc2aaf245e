namespace GpuMobileNet.Import.Tflite;

/// <summary>Field indices and enum values from TensorFlow Lite's schema.fbs (file identifier "TFL3"; fields are only
/// ever appended, so these indices hold for every schema version). A field's vtable slot is its index; a union takes
/// two slots (its type, then its value).</summary>
internal static class TfliteSchema
{
    public const string FileIdentifier = "TFL3";

    // table Model { version, operator_codes, subgraphs, description, buffers, ... }
    public const int ModelVersion = 0, ModelOperatorCodes = 1, ModelSubgraphs = 2, ModelDescription = 3, ModelBuffers = 4;
    // table SubGraph { tensors, inputs, outputs, operators, name }
    public const int SubGraphTensors = 0, SubGraphInputs = 1, SubGraphOutputs = 2, SubGraphOperators = 3, SubGraphName = 4;
    // table Tensor { shape, type, buffer, name, quantization, is_variable, sparsity, shape_signature }
    public const int TensorShape = 0, TensorType = 1, TensorBuffer = 2, TensorName = 3, TensorQuantization = 4, TensorSparsity = 6;
    // table QuantizationParameters { min, max, scale, zero_point, details, quantized_dimension }
    public const int QuantScale = 2;
    // table Buffer { data, offset, size }: offset/size (data outside the flatbuffer, for files over 2 GB) are refused.
    public const int BufferData = 0, BufferOffset = 1;
    // table OperatorCode { deprecated_builtin_code: byte, custom_code, version, builtin_code: int }
    public const int OpCodeDeprecatedBuiltin = 0, OpCodeCustom = 1, OpCodeVersion = 2, OpCodeBuiltin = 3;
    // table Operator { opcode_index, inputs, outputs, builtin_options (union: type slot 3, value slot 4), custom_options }
    public const int OperatorOpcodeIndex = 0, OperatorInputs = 1, OperatorOutputs = 2, OperatorBuiltinOptions = 4;

    // table Conv2DOptions { padding, stride_w, stride_h, fused_activation_function, dilation_w_factor, dilation_h_factor }
    public const int ConvPadding = 0, ConvStrideW = 1, ConvStrideH = 2, ConvActivation = 3, ConvDilationW = 4, ConvDilationH = 5;
    // table DepthwiseConv2DOptions { padding, stride_w, stride_h, depth_multiplier, fused_activation_function, dilation_w_factor, dilation_h_factor }
    public const int DwPadding = 0, DwStrideW = 1, DwStrideH = 2, DwMultiplier = 3, DwActivation = 4, DwDilationW = 5, DwDilationH = 6;
    // table Pool2DOptions { padding, stride_w, stride_h, filter_width, filter_height, fused_activation_function }
    public const int PoolPadding = 0, PoolStrideW = 1, PoolStrideH = 2, PoolFilterW = 3, PoolFilterH = 4, PoolActivation = 5;
    // table ConcatenationOptions { axis, fused_activation_function }
    public const int ConcatAxis = 0, ConcatActivation = 1;
    // table AddOptions / MulOptions { fused_activation_function, ... }; FullyConnectedOptions { fused_activation_function, weights_format, keep_num_dims }
    public const int ElementwiseActivation = 0, FcWeightsFormat = 1, FcKeepNumDims = 2;
    // table ReshapeOptions { new_shape }; SoftmaxOptions { beta }; ReducerOptions { keep_dims }
    public const int ReshapeNewShape = 0, SoftmaxBeta = 0, ReducerKeepDims = 0;

    // enum Padding : byte { SAME, VALID }
    public const byte PaddingSame = 0, PaddingValid = 1;

    // enum ActivationFunctionType : byte
    public const byte ActNone = 0, ActRelu = 1, ActReluN1To1 = 2, ActRelu6 = 3, ActTanh = 4, ActSignBit = 5;

    /// <summary>enum TensorType : byte (the values we name in messages).</summary>
    public static string TypeName(int type) => type switch
    {
        0 => "FLOAT32", 1 => "FLOAT16", 2 => "INT32", 3 => "UINT8", 4 => "INT64", 5 => "STRING", 6 => "BOOL",
        7 => "INT16", 8 => "COMPLEX64", 9 => "INT8", 10 => "FLOAT64", _ => $"type {type}",
    };

    public const int Float32 = 0, Float16 = 1, Int32 = 2, UInt8 = 3, Int64 = 4, Int8 = 9;
}

/// <summary>The builtin operators the importer maps (values of enum BuiltinOperator in schema.fbs).</summary>
internal enum TfliteOp
{
    Add = 0, AveragePool2d = 1, Concatenation = 2, Conv2d = 3, DepthwiseConv2d = 4, Dequantize = 6,
    FullyConnected = 9, Logistic = 14, MaxPool2d = 17, Mul = 18, Relu = 19, Relu6 = 21, Reshape = 22,
    Softmax = 25, Pad = 34, Mean = 40, Squeeze = 43, Quantize = 114, HardSwish = 117,
}
