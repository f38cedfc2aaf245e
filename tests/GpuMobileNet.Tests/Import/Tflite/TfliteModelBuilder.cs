using System.Runtime.InteropServices;
using Google.FlatBuffers;

namespace GpuMobileNet.Tests.Import.Tflite;

/// <summary>Writes small .tflite files with the FlatBuffers runtime's builder (field slots from TFLite's schema.fbs),
/// so every op mapping can be run by TFLite itself and by us on the same bytes.</summary>
internal sealed class TfliteModelBuilder
{
    private sealed record TensorSpec(int[] Shape, byte Type, int Buffer, string Name);
    private sealed record OpSpec(int Code, int[] Inputs, int[] Outputs, byte OptionsType, Action<FlatBufferBuilder>? Options);

    private readonly List<TensorSpec> _tensors = [];
    private readonly List<byte[]> _buffers = [[]];
    private readonly List<OpSpec> _ops = [];
    private readonly List<int> _inputs = [], _outputs = [];
    private readonly Random _random;

    public TfliteModelBuilder(int seed) => _random = new Random(seed);

    public const byte Float32 = 0, Float16 = 1, Int32 = 2, Int8 = 9;
    // BuiltinOptions union members (1-based order in schema.fbs).
    public const byte ConvOptions = 1, DepthwiseOptions = 2, PoolOptions = 5, FullyConnectedOptions = 8, SoftmaxOptions = 9,
        ConcatOptions = 10, AddOptions = 11, ReshapeOptions = 17, MulOptions = 21, PadOptions = 22, ReducerOptions = 27;

    public int Input(params int[] shape) { int t = Tensor(shape); _inputs.Add(t); return t; }
    public void Output(int tensor) => _outputs.Add(tensor);

    /// <summary>Declares an existing tensor a subgraph input (e.g. a non-float one).</summary>
    public void MarkInput(int tensor) => _inputs.Add(tensor);

    /// <summary>Rank of the first output.</summary>
    public int OutputRank => _tensors[_outputs[0]].Shape.Length;

    public int Tensor(int[] shape, byte type = Float32, byte[]? data = null, string? name = null)
    {
        int buffer = 0;
        if (data is not null) { _buffers.Add(data); buffer = _buffers.Count - 1; }
        _tensors.Add(new TensorSpec(shape, type, buffer, name ?? $"t{_tensors.Count}"));
        return _tensors.Count - 1;
    }

    /// <summary>A constant of seeded random floats in [-scale, scale] (FLOAT32, or FLOAT16 to feed a DEQUANTIZE).</summary>
    public int Weights(int[] shape, float scale = 0.5f, bool half = false)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var values = Enumerable.Range(0, n).Select(_ => (float)(_random.NextDouble() * 2 - 1) * scale).ToArray();
        byte[] bytes = half ? MemoryMarshal.AsBytes(values.Select(v => (Half)v).ToArray().AsSpan()).ToArray()
            : MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        return Tensor(shape, half ? Float16 : Float32, bytes);
    }

    public int Ints(params int[] values) => Ints([values.Length], values);

    public int Ints(int[] shape, params int[] values) => Tensor(shape, Int32, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public int Op(int code, int[] inputs, int[] outputShape, byte optionsType = 0, Action<FlatBufferBuilder>? options = null)
    {
        int output = Tensor(outputShape);
        _ops.Add(new OpSpec(code, inputs, [output], optionsType, options));
        return output;
    }

    public byte[] Build()
    {
        var b = new FlatBufferBuilder(4096);
        var buffers = _buffers.Select(data =>
        {
            VectorOffset? vec = null;
            if (data.Length > 0)
            {
                b.StartVector(1, data.Length, 16);
                for (int i = data.Length - 1; i >= 0; i--) b.AddByte(data[i]);
                vec = b.EndVector();
            }
            b.StartTable(3);
            if (vec is { } v) b.AddOffset(0, v.Value, 0);
            return b.EndTable();
        }).ToArray();
        var tensors = _tensors.Select(t =>
        {
            var shape = IntVector(b, t.Shape);
            var name = b.CreateString(t.Name);
            b.StartTable(8);
            b.AddOffset(0, shape, 0);
            b.AddByte(1, t.Type, 255);
            b.AddUint(2, (uint)t.Buffer, 0);
            b.AddOffset(3, name.Value, 0);
            return b.EndTable();
        }).ToArray();
        var codes = _ops.Select(o => o.Code).Distinct().ToList();
        var ops = _ops.Select(o =>
        {
            var inputs = IntVector(b, o.Inputs);
            var outputs = IntVector(b, o.Outputs);
            int options = 0;
            if (o.Options is not null) { o.Options(b); options = b.EndTable(); }
            b.StartTable(6);
            b.AddUint(0, (uint)codes.IndexOf(o.Code), 0);
            b.AddOffset(1, inputs, 0);
            b.AddOffset(2, outputs, 0);
            if (o.Options is not null) { b.AddByte(3, o.OptionsType, 0); b.AddOffset(4, options, 0); }
            return b.EndTable();
        }).ToArray();
        var codeTables = codes.Select(c =>
        {
            b.StartTable(4);
            b.AddSbyte(0, (sbyte)Math.Min(c, 127), 0);
            b.AddInt(2, 1, 0);
            b.AddInt(3, c, 0);
            return b.EndTable();
        }).ToArray();
        int subgraphTensors = OffsetVector(b, tensors), subgraphOps = OffsetVector(b, ops);
        int subgraphInputs = IntVector(b, _inputs.ToArray()), subgraphOutputs = IntVector(b, _outputs.ToArray());
        var subgraphName = b.CreateString("main");
        b.StartTable(5);
        b.AddOffset(0, subgraphTensors, 0);
        b.AddOffset(1, subgraphInputs, 0);
        b.AddOffset(2, subgraphOutputs, 0);
        b.AddOffset(3, subgraphOps, 0);
        b.AddOffset(4, subgraphName.Value, 0);
        int subgraph = b.EndTable();
        int codesVec = OffsetVector(b, codeTables), subgraphsVec = OffsetVector(b, [subgraph]), buffersVec = OffsetVector(b, buffers);
        var description = b.CreateString("test model");
        b.StartTable(5);
        b.AddUint(0, 3, 0);
        b.AddOffset(1, codesVec, 0);
        b.AddOffset(2, subgraphsVec, 0);
        b.AddOffset(3, description.Value, 0);
        b.AddOffset(4, buffersVec, 0);
        b.Finish(b.EndTable(), "TFL3");
        return b.SizedByteArray();
    }

    private static int IntVector(FlatBufferBuilder b, int[] values)
    {
        b.StartVector(4, values.Length, 4);
        for (int i = values.Length - 1; i >= 0; i--) b.AddInt(values[i]);
        return b.EndVector().Value;
    }

    private static int OffsetVector(FlatBufferBuilder b, int[] offsets)
    {
        b.StartVector(4, offsets.Length, 4);
        for (int i = offsets.Length - 1; i >= 0; i--) b.AddOffset(offsets[i]);
        return b.EndVector().Value;
    }

    /// <summary>A small image classifier on a [1, height, width, 3] input: 3x3 conv stride 2 SAME with ReLU (8 filters),
    /// MEAN over height and width, FULLY_CONNECTED to <paramref name="classes"/>, SOFTMAX.</summary>
    public static byte[] Classifier(int seed, int height, int width, int classes)
    {
        var b = new TfliteModelBuilder(seed);
        int x = b.Input(1, height, width, 3);
        int c = b.Op(3, [x, b.Weights([8, 3, 3, 3]), b.Weights([8])], [1, (height + 1) / 2, (width + 1) / 2, 8], ConvOptions, Conv(0, 2, 1));
        int m = b.Op(40, [c, b.Ints(1, 2)], [1, 8], ReducerOptions, Reducer(false));
        int f = b.Op(9, [m, b.Weights([classes, 8]), b.Weights([classes])], [1, classes], FullyConnectedOptions, Activation(0));
        b.Output(b.Op(25, [f], [1, classes], SoftmaxOptions, Softmax(1)));
        return b.Build();
    }

    // Option tables: each starts a table the builder ends.
    public static Action<FlatBufferBuilder> Conv(byte padding, int stride, byte act, int dilation = 1) => b =>
    {
        b.StartTable(6); b.AddByte(0, padding, 255); b.AddInt(1, stride, 0); b.AddInt(2, stride, 0); b.AddByte(3, act, 255);
        b.AddInt(4, dilation, 0); b.AddInt(5, dilation, 0);
    };

    public static Action<FlatBufferBuilder> Depthwise(byte padding, int stride, int multiplier, byte act) => b =>
    {
        b.StartTable(7); b.AddByte(0, padding, 255); b.AddInt(1, stride, 0); b.AddInt(2, stride, 0); b.AddInt(3, multiplier, 0);
        b.AddByte(4, act, 255); b.AddInt(5, 1, 0); b.AddInt(6, 1, 0);
    };

    public static Action<FlatBufferBuilder> Pool(byte padding, int stride, int filter, byte act = 0) => b =>
    {
        b.StartTable(6); b.AddByte(0, padding, 255); b.AddInt(1, stride, 0); b.AddInt(2, stride, 0); b.AddInt(3, filter, 0);
        b.AddInt(4, filter, 0); b.AddByte(5, act, 255);
    };

    public static Action<FlatBufferBuilder> Activation(byte act) => b => { b.StartTable(1); b.AddByte(0, act, 255); };
    public static Action<FlatBufferBuilder> Concat(int axis, byte act = 0) => b => { b.StartTable(2); b.AddInt(0, axis, 99); b.AddByte(1, act, 255); };
    public static Action<FlatBufferBuilder> Softmax(float beta) => b => { b.StartTable(1); b.AddFloat(0, beta, -1); };
    public static Action<FlatBufferBuilder> Reducer(bool keepDims) => b => { b.StartTable(1); b.AddBool(0, keepDims, !keepDims); };
    public static Action<FlatBufferBuilder> Empty() => b => b.StartTable(0);
}
