using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace GpuMobileNet.Viewer.Serving;

/// <summary>One named, typed tensor of the Open Inference Protocol, row-major: FP32 values (<see cref="Floats"/>),
/// UINT8 bytes (<see cref="Bytes"/>) or BYTES strings (<see cref="Strings"/>, what the classification extension
/// returns). The shape includes the batch dimension. Protocol-neutral: REST and gRPC both convert to and from it.</summary>
public sealed record InferTensor(string Name, string Datatype, long[] Shape)
{
    public const string Fp32 = "FP32";
    public const string Uint8 = "UINT8";
    public const string BytesType = "BYTES";

    public float[]? Floats { get; init; }
    public byte[]? Bytes { get; init; }
    public string[]? Strings { get; init; }

    /// <summary>Product of the shape (the element count the data must have).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>Bytes per element of <paramref name="datatype"/> in raw data (FP32 4, UINT8 1), or 0 for a datatype
    /// whose raw size is not fixed or that no model here takes.</summary>
    public static int ByteWidth(string datatype) => datatype switch { Fp32 => 4, Uint8 => 1, _ => 0 };

    public static InferTensor FromFloats(string name, long[] shape, float[] values) => new(name, Fp32, shape) { Floats = values };

    public static InferTensor FromBytes(string name, long[] shape, byte[] values) => new(name, Uint8, shape) { Bytes = values };

    public static InferTensor FromStrings(string name, long[] shape, string[] values) => new(name, BytesType, shape) { Strings = values };

    /// <summary>A tensor from its raw bytes as the binary tensor data extension and gRPC's raw_input_contents carry them:
    /// FP32 little-endian, UINT8 as is; other datatypes keep no data (the model refuses them, naming what it takes).</summary>
    public static InferTensor FromRaw(string name, string datatype, long[] shape, ReadOnlySpan<byte> raw)
    {
        var tensor = new InferTensor(name, datatype, shape);
        if (datatype == Uint8) return tensor with { Bytes = raw.ToArray() };
        if (datatype != Fp32) return tensor;
        var values = new float[raw.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]);
        return tensor with { Floats = values };
    }

    /// <summary>The raw bytes of the data (binary tensor data, gRPC's raw_output_contents): FP32 little-endian, UINT8 as
    /// is, each BYTES element as a 4-byte little-endian length and its UTF-8 bytes.</summary>
    public byte[] ToRaw()
    {
        if (Bytes is { } bytes) return bytes;
        if (Floats is { } floats && BitConverter.IsLittleEndian) return MemoryMarshal.AsBytes(floats.AsSpan()).ToArray();
        var raw = new MemoryStream();
        Span<byte> four = stackalloc byte[4];
        foreach (var s in Strings ?? [])
        {
            var utf8 = Encoding.UTF8.GetBytes(s);
            BinaryPrimitives.WriteInt32LittleEndian(four, utf8.Length);
            raw.Write(four);
            raw.Write(utf8);
        }
        foreach (var v in Floats ?? [])
        {
            BinaryPrimitives.WriteSingleLittleEndian(four, v);
            raw.Write(four);
        }
        return raw.ToArray();
    }

    public static string ShapeText(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}

/// <summary>A tensor as model metadata declares it: -1 marks a dimension of any size (the batch, an image's sides).</summary>
public sealed record TensorMetadata(string Name, string Datatype, long[] Shape);

/// <summary>A model's metadata (the protocol's model metadata response): its one version, platform, inputs and
/// outputs. <see cref="ImageInput"/> names the UINT8 RGBA image input [-1, -1, -1, 4] offered in place of the main
/// FP32 input (stretched and normalised on the device), or null where the model takes no image.</summary>
public sealed record ModelMetadata(string Name, IReadOnlyList<string> Versions, string Platform,
    IReadOnlyList<TensorMetadata> Inputs, IReadOnlyList<TensorMetadata> Outputs, string? ImageInput, int MaxBatchSize);
