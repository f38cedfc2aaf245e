using GpuMobileNet.Graph;
using GpuMobileNet.IO;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Import.Tflite;

/// <summary>Imports a TensorFlow Lite flatbuffer (.tflite, float32 or float16 weights) into a <see cref="ModelGraph"/>.
/// The file is read through the FlatBuffers runtime's table accessors with field indices from TFLite's schema.fbs; the
/// main subgraph's operators are mapped in order (CONV_2D, DEPTHWISE_CONV_2D, ADD, MUL, RESHAPE, SQUEEZE,
/// CONCATENATION, DEQUANTIZE of fp16 weights, AVERAGE_POOL_2D, MAX_POOL_2D, PAD, SOFTMAX, FULLY_CONNECTED,
/// HARD_SWISH, LOGISTIC, MEAN, RELU, RELU6 and fused RELU/RELU6). Anything else, and int8-quantised models, fail
/// with a <see cref="ModelLoadException"/> naming the file, the operator and the problem.</summary>
/// <remarks>The graph's input is the model's [1, H, W, C] input seen as C x H x W (NCHW, what the preprocessing writes).
/// Outputs keep TFLite's names; a rank-2 or rank-3 output ([1, N] or [1, A, B]) is laid out exactly as TFLite lays it
/// out (row-major), a rank-4 output is NCHW.</remarks>
internal static class TfliteImporter
{
    /// <summary>Largest .tflite file read (a flatbuffer cannot address more than 2 GiB).</summary>
    public const long MaxFileBytes = int.MaxValue;

    /// <summary>Loads the .tflite at <paramref name="path"/>.</summary>
    /// <exception cref="ModelLoadException">The file is missing, not a TFLite model, corrupt, or uses what is not supported.</exception>
    public static ModelGraph Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = SafeFile.ReadAllBytes(path, MaxFileBytes, "TFLite model", p => new ModelLoadException(p));
        return Load(bytes, path);
    }

    /// <summary>Loads a model from memory; <paramref name="name"/> names it in messages.</summary>
    /// <exception cref="ModelLoadException">The bytes are not a TFLite model, are corrupt, or use what is not supported.</exception>
    public static ModelGraph Load(byte[] bytes, string name)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Guard(name, () => Import(new TfliteModel(bytes, name), name));
    }

    /// <summary>The operator names of the main subgraph with their counts (for inspection; nothing is imported).</summary>
    /// <exception cref="ModelLoadException">The file is missing, not a TFLite model or corrupt.</exception>
    public static IReadOnlyDictionary<string, int> OpCounts(string path)
    {
        var bytes = SafeFile.ReadAllBytes(path, MaxFileBytes, "TFLite model", p => new ModelLoadException(p));
        return Guard(path, () => new TfliteModel(bytes, path).Operators.GroupBy(o => o.OpName)
            .OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()));
    }

    /// <summary>Turns structural failures of a corrupt file (offsets outside the buffer) into one-line load errors.</summary>
    private static T Guard<T>(string file, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (TfliteFormatException e)
        {
            throw new ModelLoadException($"{file}: corrupt flatbuffer: {e.Message}", e);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or ArgumentException or OverflowException)
        {
            throw new ModelLoadException($"{file}: corrupt flatbuffer (an offset or size points outside the file)", e);
        }
    }

    private static ModelGraph Import(TfliteModel model, string file)
    {
        if (model.Inputs.Length != 1)
            throw new ModelLoadException($"{file}: the model has {model.Inputs.Length} inputs; exactly one is supported");
        var input = model.Tensors[model.Inputs[0]];
        if (input.Type != TfliteSchema.Float32)
            throw new ModelLoadException($"{file}: input {input.Describe} is not FLOAT32" +
                (input.Type is TfliteSchema.Int8 or TfliteSchema.UInt8 ? "; int8/uint8-quantised models are not supported" : ""));
        if (input.Shape.Length != 4 || input.Shape[0] != 1 || input.Shape.Skip(1).Any(d => d <= 0 || d > 1 << 16))
            throw new ModelLoadException($"{file}: input {input.Describe} is not [1, H, W, C]");
        var builder = new GraphBuilder(Path.GetFileNameWithoutExtension(file),
            new TensorShape(input.Shape[3], input.Shape[1], input.Shape[2]), input.Name);
        var mapper = new TfliteOpMapper(model, builder, Path.GetFileName(file));
        mapper.BindInput(input);
        foreach (var op in model.Operators) mapper.Map(op);

        if (model.Outputs.Length == 0) throw new ModelLoadException($"{file}: the model declares no output");
        var outputs = new List<Value>();
        foreach (int index in model.Outputs)
        {
            var value = mapper.RuntimeValue(index) ?? throw new ModelLoadException(
                $"{file}: output {model.Tensors[index].Describe} is not computed from the input");
            if (!outputs.Contains(value)) outputs.Add(value);
        }
        try
        {
            return builder.BuildPruned(outputs);
        }
        catch (InvalidGraphException e)
        {
            throw new ModelLoadException($"{file}: {e.Message}", e);
        }
    }
}
