using Google.Protobuf;
using GpuMobileNet.Viewer.Grpc.Protocol;
using GpuMobileNet.Viewer.Serving;

namespace GpuMobileNet.Viewer.Grpc;

/// <summary>Conversions between the gRPC messages' tensors and the protocol-neutral <see cref="InferTensor"/>. The data
/// sizes are checked here against the shapes (the messages carry them apart); everything else (names, datatypes,
/// shapes against the model) is the model's check, the same as REST's.</summary>
internal static class GrpcTensors
{
    /// <summary>The request's inputs: from raw_input_contents (one entry per input, little-endian) or each input's
    /// typed contents.</summary>
    public static IReadOnlyList<InferTensor> Inputs(ModelInferRequest request)
    {
        bool raw = request.RawInputContents.Count > 0;
        if (raw && request.RawInputContents.Count != request.Inputs.Count)
            throw Bad($"raw_input_contents has {request.RawInputContents.Count} entries for {request.Inputs.Count} input{(request.Inputs.Count == 1 ? "" : "s")}");
        return request.Inputs.Select((t, i) => raw ? FromRaw(t, request.RawInputContents[i]) : FromContents(t)).ToList();
    }

    /// <summary>The request's outputs field, with each one's classification parameter (top k), or null for every output.</summary>
    public static IReadOnlyList<RequestedOutput>? RequestedOutputs(ModelInferRequest request) =>
        request.Outputs.Count == 0 ? null : request.Outputs.Select(o => new RequestedOutput(o.Name, Classification(o))).ToList();

    /// <summary>An output's values as typed contents (FP32 fp32_contents, UINT8 uint_contents, BYTES bytes_contents).</summary>
    public static InferTensorContents Contents(InferTensor output)
    {
        var contents = new InferTensorContents();
        if (output.Floats is { } floats) contents.Fp32Contents.AddRange(floats);
        if (output.Bytes is { } bytes) contents.UintContents.AddRange(bytes.Select(b => (uint)b));
        if (output.Strings is { } strings) contents.BytesContents.AddRange(strings.Select(ByteString.CopyFromUtf8));
        return contents;
    }

    private static InferTensor FromRaw(ModelInferRequest.Types.InferInputTensor t, ByteString raw)
    {
        if (t.Contents is not null) throw Bad($"input '{t.Name}': both raw_input_contents and contents are set; send one");
        long[] shape = [.. t.Shape];
        int size = InferTensor.ByteWidth(t.Datatype);
        long bytes = size * Count(shape);
        if (size > 0 && raw.Length != bytes)
            throw Bad($"input '{t.Name}': raw_input_contents has {raw.Length} bytes but {InferTensor.ShapeText(shape)} {t.Datatype} is {bytes}");
        return InferTensor.FromRaw(t.Name, t.Datatype, shape, raw.Span);
    }

    private static InferTensor FromContents(ModelInferRequest.Types.InferInputTensor t)
    {
        var contents = t.Contents ?? throw Bad($"input '{t.Name}': no contents and no raw_input_contents");
        long[] shape = [.. t.Shape];
        var tensor = new InferTensor(t.Name, t.Datatype, shape);
        if (t.Datatype == InferTensor.Fp32)
            return tensor with { Floats = [.. Counted(t, "fp32_contents", contents.Fp32Contents)] };
        if (t.Datatype != InferTensor.Uint8) return tensor; // the model refuses the datatype by name
        var values = Counted(t, "uint_contents", contents.UintContents);
        if (values.Any(v => v > 255)) throw Bad($"input '{t.Name}': UINT8 uint_contents must be 0..255");
        return tensor with { Bytes = values.Select(v => (byte)v).ToArray() };
    }

    private static IReadOnlyList<T> Counted<T>(ModelInferRequest.Types.InferInputTensor t, string field, IReadOnlyList<T> values)
    {
        long count = Count([.. t.Shape]);
        if (values.Count != count) throw Bad($"input '{t.Name}': {field} has {values.Count} values but {InferTensor.ShapeText(t.Shape)} needs {count}");
        return values;
    }

    /// <summary>The element count of a shape, refusing negative dimensions (which only metadata may have).</summary>
    private static long Count(long[] shape)
    {
        if (shape.Any(d => d < 0)) throw Bad($"shape {InferTensor.ShapeText(shape)} has a negative dimension");
        try { return shape.Aggregate(1L, (a, d) => checked(a * d)); }
        catch (OverflowException) { throw Bad($"shape {InferTensor.ShapeText(shape)} has too many elements"); }
    }

    private static int Classification(ModelInferRequest.Types.InferRequestedOutputTensor o)
    {
        if (!o.Parameters.TryGetValue("classification", out var p)) return 0;
        long k = p.ParameterChoiceCase switch
        {
            InferParameter.ParameterChoiceOneofCase.Int64Param => p.Int64Param,
            InferParameter.ParameterChoiceOneofCase.Uint64Param => (long)Math.Min(p.Uint64Param, int.MaxValue),
            InferParameter.ParameterChoiceOneofCase.StringParam when long.TryParse(p.StringParam, out var s) => s,
            _ => throw Bad($"output '{o.Name}': the classification parameter must be an integer"),
        };
        if (k < 1 || k > int.MaxValue) throw Bad($"output '{o.Name}': classification {k} must be at least 1");
        return (int)k;
    }

    private static ServingException Bad(string message) => new(ServingError.BadRequest, message);
}
