using System.Runtime.InteropServices;
using Google.FlatBuffers;

namespace GpuMobileNet.Import.Tflite;

/// <summary>One tensor of the main subgraph: its NHWC-style shape, element type and constant data (if any).</summary>
internal sealed record TfliteTensor(int Index, string Name, int[] Shape, int Type, int Buffer, bool Quantized)
{
    public long Elements => Shape.Aggregate(1L, (a, d) => a * d);
    public string Describe => $"'{Name}' [{string.Join(", ", Shape)}] {TfliteSchema.TypeName(Type)}";
}

/// <summary>One operator of the main subgraph, in execution order.</summary>
internal sealed record TfliteOperator(int Index, int Code, string OpName, int[] Inputs, int[] Outputs, FlatTable? Options);

/// <summary>The parts of a .tflite file the importer reads: the main subgraph's tensors, operators, input and outputs,
/// and the constant buffers. Every index is checked against its vector's length; sizes are bounded by the file.</summary>
internal sealed class TfliteModel
{
    private readonly FlatTable _model;
    private readonly string _file;

    public TfliteModel(byte[] bytes, string file)
    {
        _file = file;
        if (bytes.Length < 8 || System.Text.Encoding.ASCII.GetString(bytes, 4, 4) != TfliteSchema.FileIdentifier)
            throw Fail("not a TFLite model (no \"TFL3\" file identifier at byte 4)");
        _model = FlatTable.Root(new ByteBuffer(bytes));
        uint version = _model.UInt(TfliteSchema.ModelVersion);
        if (version != 3) throw Fail($"schema version {version} is not supported (3)");
        int subgraphs = _model.Length(TfliteSchema.ModelSubgraphs);
        if (subgraphs == 0) throw Fail("the model has no subgraph");
        var main = _model.TableAt(TfliteSchema.ModelSubgraphs, 0);
        BufferCount = _model.Length(TfliteSchema.ModelBuffers);

        int tensorCount = main.Length(TfliteSchema.SubGraphTensors);
        Tensors = new TfliteTensor[tensorCount];
        for (int i = 0; i < tensorCount; i++)
        {
            var t = main.TableAt(TfliteSchema.SubGraphTensors, i);
            var shape = t.Ints(TfliteSchema.TensorShape);
            int buffer = (int)Math.Min(t.UInt(TfliteSchema.TensorBuffer), int.MaxValue);
            if (buffer >= BufferCount) throw Fail($"tensor {i} refers to buffer {buffer}; the model has {BufferCount}");
            bool quantized = t.Table(TfliteSchema.TensorQuantization) is { } q && q.Length(TfliteSchema.QuantScale) > 0;
            if (t.Has(TfliteSchema.TensorSparsity)) throw Fail($"tensor {i} ('{t.String(TfliteSchema.TensorName)}') is sparse; sparse tensors are not supported");
            Tensors[i] = new TfliteTensor(i, t.String(TfliteSchema.TensorName) ?? $"tensor_{i}", shape, t.Byte(TfliteSchema.TensorType), buffer, quantized);
        }
        Inputs = main.Ints(TfliteSchema.SubGraphInputs).Select(i => CheckTensor(i, "subgraph input")).ToArray();
        Outputs = main.Ints(TfliteSchema.SubGraphOutputs).Select(i => CheckTensor(i, "subgraph output")).ToArray();

        int codeCount = _model.Length(TfliteSchema.ModelOperatorCodes);
        var codes = new (int Code, string Name)[codeCount];
        for (int i = 0; i < codeCount; i++)
        {
            var c = _model.TableAt(TfliteSchema.ModelOperatorCodes, i);
            // Codes above 127 live in builtin_code; older files only set the byte field: the larger of the two wins.
            int code = Math.Max((sbyte)c.Byte(TfliteSchema.OpCodeDeprecatedBuiltin), c.Int(TfliteSchema.OpCodeBuiltin));
            codes[i] = (code, code == 32 ? $"CUSTOM '{c.String(TfliteSchema.OpCodeCustom)}'" : OpName(code));
        }
        int opCount = main.Length(TfliteSchema.SubGraphOperators);
        Operators = new TfliteOperator[opCount];
        for (int i = 0; i < opCount; i++)
        {
            var o = main.TableAt(TfliteSchema.SubGraphOperators, i);
            uint opcode = o.UInt(TfliteSchema.OperatorOpcodeIndex);
            if (opcode >= codeCount) throw Fail($"operator {i} uses opcode index {opcode}; the model has {codeCount} operator codes");
            var (code, name) = codes[opcode];
            int[] inputs = o.Ints(TfliteSchema.OperatorInputs), outputs = o.Ints(TfliteSchema.OperatorOutputs);
            foreach (int t in inputs) if (t != -1) CheckTensor(t, $"operator {i} ({name}) input");
            foreach (int t in outputs) CheckTensor(t, $"operator {i} ({name}) output");
            Operators[i] = new TfliteOperator(i, code, name, inputs, outputs, o.Table(TfliteSchema.OperatorBuiltinOptions));
        }
    }

    public TfliteTensor[] Tensors { get; }
    public int[] Inputs { get; }
    public int[] Outputs { get; }
    public TfliteOperator[] Operators { get; }
    public int BufferCount { get; }

    /// <summary>The constant bytes of a tensor, empty for a run-time tensor (buffer 0 or an empty buffer).</summary>
    public ReadOnlySpan<byte> Data(TfliteTensor t)
    {
        if (t.Buffer == 0) return [];
        var b = _model.TableAt(TfliteSchema.ModelBuffers, t.Buffer);
        if (b.Has(TfliteSchema.BufferOffset) && b.UInt(TfliteSchema.BufferOffset) > 1)
            throw Fail($"tensor {t.Describe} keeps its data outside the flatbuffer (models over 2 GB); not supported");
        return b.ByteVector(TfliteSchema.BufferData);
    }

    /// <summary>A constant tensor as floats (FLOAT32, or FLOAT16 widened); null when it has no data.</summary>
    public float[]? Floats(TfliteTensor t, Func<string, Exception> fail)
    {
        var data = Data(t);
        if (data.IsEmpty) return null;
        if (t.Quantized || t.Type is TfliteSchema.Int8 or TfliteSchema.UInt8)
            throw fail($"tensor {t.Describe} is quantised; int8/uint8 models are not supported (use a float32 or float16 model)");
        long n = ElementCount(t, fail);
        switch (t.Type)
        {
            case TfliteSchema.Float32:
                CheckBytes(t, data, n * 4, fail);
                return MemoryMarshal.Cast<byte, float>(data).ToArray();
            case TfliteSchema.Float16:
                CheckBytes(t, data, n * 2, fail);
                var halves = MemoryMarshal.Cast<byte, Half>(data);
                var result = new float[n];
                for (int i = 0; i < result.Length; i++) result[i] = (float)halves[i];
                return result;
            default:
                throw fail($"tensor {t.Describe} holds {TfliteSchema.TypeName(t.Type)} values where floats are needed");
        }
    }

    /// <summary>A constant INT32 (or INT64) tensor, e.g. a reshape target or pad amounts; null when it has no data.</summary>
    public long[]? Integers(TfliteTensor t, Func<string, Exception> fail)
    {
        var data = Data(t);
        if (data.IsEmpty) return null;
        long n = ElementCount(t, fail);
        if (t.Type == TfliteSchema.Int32)
        {
            CheckBytes(t, data, n * 4, fail);
            return MemoryMarshal.Cast<byte, int>(data).ToArray().Select(v => (long)v).ToArray();
        }
        if (t.Type == TfliteSchema.Int64)
        {
            CheckBytes(t, data, n * 8, fail);
            return MemoryMarshal.Cast<byte, long>(data).ToArray();
        }
        throw fail($"tensor {t.Describe} holds {TfliteSchema.TypeName(t.Type)} values where integers are needed");
    }

    private static long ElementCount(TfliteTensor t, Func<string, Exception> fail)
    {
        long n = 1;
        foreach (int d in t.Shape)
        {
            if (d < 0) throw fail($"tensor {t.Describe} has a negative dimension");
            n *= d;
            if (n > 1L << 28) throw fail($"tensor {t.Describe} has more than {1L << 28} elements");
        }
        return n;
    }

    private static void CheckBytes(TfliteTensor t, ReadOnlySpan<byte> data, long want, Func<string, Exception> fail)
    {
        if (data.Length != want) throw fail($"tensor {t.Describe} has {data.Length} bytes of data; its shape needs {want}");
    }

    private int CheckTensor(int index, string what) =>
        index >= 0 && index < Tensors.Length ? index : throw Fail($"{what} refers to tensor {index}; the subgraph has {Tensors.Length}");

    private ModelLoadException Fail(string problem) => new($"{_file}: {problem}");

    /// <summary>The schema's name of a builtin operator code.</summary>
    public static string OpName(int code) => Enum.IsDefined(typeof(TfliteOp), code) ? Names[(TfliteOp)code] : code switch
    {
        28 => "TANH", 32 => "CUSTOM", 39 => "TRANSPOSE", 41 => "SUB", 42 => "DIV", 45 => "STRIDED_SLICE", 49 => "SPLIT",
        53 => "CAST", 54 => "PRELU", 55 => "MAXIMUM", 57 => "MINIMUM", 97 => "RESIZE_NEAREST_NEIGHBOR", 23 => "RESIZE_BILINEAR",
        98 => "LEAKY_RELU", 67 => "TRANSPOSE_CONV", 83 => "PACK", 102 => "SPLIT_V",
        _ => $"builtin op {code}",
    };

    private static readonly Dictionary<TfliteOp, string> Names = new()
    {
        [TfliteOp.Add] = "ADD", [TfliteOp.AveragePool2d] = "AVERAGE_POOL_2D", [TfliteOp.Concatenation] = "CONCATENATION",
        [TfliteOp.Conv2d] = "CONV_2D", [TfliteOp.DepthwiseConv2d] = "DEPTHWISE_CONV_2D", [TfliteOp.Dequantize] = "DEQUANTIZE",
        [TfliteOp.FullyConnected] = "FULLY_CONNECTED", [TfliteOp.Logistic] = "LOGISTIC", [TfliteOp.MaxPool2d] = "MAX_POOL_2D",
        [TfliteOp.Mul] = "MUL", [TfliteOp.Relu] = "RELU", [TfliteOp.Relu6] = "RELU6", [TfliteOp.Reshape] = "RESHAPE",
        [TfliteOp.Softmax] = "SOFTMAX", [TfliteOp.Pad] = "PAD", [TfliteOp.Mean] = "MEAN", [TfliteOp.Squeeze] = "SQUEEZE",
        [TfliteOp.Quantize] = "QUANTIZE", [TfliteOp.HardSwish] = "HARD_SWISH",
    };
}
