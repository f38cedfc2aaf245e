using System.Globalization;
using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Viewer.Serving;

/// <summary>What a model takes and gives, known once its file is imported (before any device work): its metadata, the
/// check of a request's inputs against it (<see cref="Decode"/>) and the shaping of run results into the outputs a
/// request asked for (<see cref="Encode"/>), including the classification extension.</summary>
internal sealed class ModelSpec
{
    public const string Platform = "gpumobilenet_vulkan";
    public const string Version = "1";

    /// <param name="host">Outputs computed on the host from the network's, served in their place (null: the network's).</param>
    /// <param name="normalisation">How the image input's pixels become the input's values (null: pixel / 255).</param>
    public ModelSpec(string name, ModelGraph graph, IReadOnlyList<string>? labels, IHostOutputs? host = null, Rgba8Normalisation? normalisation = null)
    {
        Name = name;
        Graph = graph;
        Host = host;
        Normalisation = normalisation ?? Rgba8Normalisation.Default;
        Outputs = host?.Outputs ?? graph.Outputs.Select(v => (v.Name, Dims(v.Shape))).ToList();
        // Labels name the first output's classes; a file whose count disagrees names nothing.
        Labels = labels is not null && labels.Count == Outputs[0].Dims.Aggregate(1L, (a, d) => a * d) ? labels : null;

        ImageInput = graph.ExtraInputs.Count == 0 && graph.Input.Shape.C == 3 ? graph.Input.Name + "_rgba8" : null;
    }

    public string Name { get; }
    public ModelGraph Graph { get; }
    public IReadOnlyList<string>? Labels { get; }
    /// <summary>The name of the UINT8 image input offered in place of the main input (3-channel single-input models).</summary>
    public string? ImageInput { get; }
    public IHostOutputs? Host { get; }
    public Rgba8Normalisation Normalisation { get; }
    /// <summary>The outputs served, with their per-sample dimensions: the network's, or the host stage's.</summary>
    public IReadOnlyList<(string Name, long[] Dims)> Outputs { get; }

    /// <summary>Per-sample dimensions as the protocol shows them: [C] for a vector (H = W = 1), else [C, H, W].</summary>
    public static long[] Dims(TensorShape s) => s is { H: 1, W: 1 } ? [s.C] : [s.C, s.H, s.W];

    public ModelMetadata Metadata(ServingOptions options)
    {
        var inputs = Graph.Inputs.Select(v => new TensorMetadata(v.Name, InferTensor.Fp32, [-1, .. Dims(v.Shape)])).ToList();
        if (ImageInput is not null) inputs.Add(new TensorMetadata(ImageInput, InferTensor.Uint8, [-1, -1, -1, 4]));
        var outputs = Outputs.Select(o => new TensorMetadata(o.Name, InferTensor.Fp32, [-1, .. o.Dims])).ToList();
        return new ModelMetadata(Name, [Version], Platform, inputs, outputs, ImageInput, options.MaxBatchSize);
    }

    /// <summary>The request's inputs checked against the model: every FP32 input [n, dims], or (for the main input) a
    /// UINT8 RGBA image [n, height, width, 4] under the image input's name or the main input's; 1 ≤ n ≤ max batch.</summary>
    public BatchInput Decode(InferenceRequest request, int maxBatch)
    {
        var byName = new Dictionary<string, InferTensor>();
        foreach (var t in request.Inputs)
            if (!byName.TryAdd(t.Name, t)) throw Bad($"input '{t.Name}' is given twice");
        var known = Graph.Inputs.Select(v => v.Name).Append(ImageInput).OfType<string>().ToHashSet();
        if (byName.Keys.FirstOrDefault(n => !known.Contains(n)) is { } unknown)
            throw Bad($"input '{unknown}': model '{Name}' has input{(known.Count > 1 ? "s" : "")} {string.Join(", ", known.Order().Select(k => $"'{k}'"))}");
        var image = ImageInput is null ? null
            : byName.GetValueOrDefault(ImageInput) ?? (byName.GetValueOrDefault(Graph.Input.Name) is { Datatype: InferTensor.Uint8 } main ? main : null);
        if (image is not null)
        {
            if (byName.Count > 1) throw Bad($"give either '{Graph.Input.Name}' (FP32) or the image '{ImageInput}' (UINT8), not both");
            return BatchInput.FromFrames(Frames(image, maxBatch));
        }
        int samples = 0;
        var tensors = new float[Graph.Inputs.Count][];
        for (int i = 0; i < tensors.Length; i++)
        {
            var value = Graph.Inputs[i];
            if (!byName.TryGetValue(value.Name, out var tensor))
                throw Bad($"model '{Name}' needs input '{value.Name}' (FP32 {InferTensor.ShapeText([-1, .. Dims(value.Shape)])}){(ImageInput is null ? "" : $" or the image '{ImageInput}' (UINT8 [-1, -1, -1, 4])")}");
            int n = BatchOf(tensor, value, maxBatch);
            if (i > 0 && n != samples) throw Bad($"input '{tensor.Name}' has batch {n} but '{Graph.Input.Name}' has {samples}");
            samples = n;
            tensors[i] = tensor.Floats!;
        }
        return BatchInput.FromTensors(samples, tensors);
    }

    private int BatchOf(InferTensor t, Value value, int maxBatch)
    {
        if (t.Datatype != InferTensor.Fp32)
            throw Bad($"input '{t.Name}': datatype '{t.Datatype}' is not supported; use FP32 {InferTensor.ShapeText([-1, .. Dims(value.Shape)])}" +
                      (ImageInput is null ? "" : $" or a UINT8 image [n, height, width, 4]"));
        long[] dims = Dims(value.Shape);
        if (t.Shape.Length != dims.Length + 1 || !t.Shape.AsSpan(1).SequenceEqual(dims))
            throw Bad($"input '{t.Name}': shape {InferTensor.ShapeText(t.Shape)} but the model takes {InferTensor.ShapeText([-1, .. dims])}");
        CheckBatch(t, maxBatch);
        if (t.Floats is null || t.Floats.Length != t.ElementCount)
            throw Bad($"input '{t.Name}': {t.Floats?.Length ?? 0} values but shape {InferTensor.ShapeText(t.Shape)} needs {t.ElementCount}");
        return (int)t.Shape[0];
    }

    private static RgbaFrame[] Frames(InferTensor t, int maxBatch)
    {
        int side = InferenceSession.MaxRgba8Side;
        if (t.Datatype != InferTensor.Uint8 || t.Shape.Length != 4 || t.Shape[3] != 4 || t.Shape[1] is < 1 || t.Shape[2] is < 1 || t.Shape[1] > side || t.Shape[2] > side)
            throw Bad($"input '{t.Name}': a UINT8 image has shape [n, height, width, 4] (RGBA, sides 1..{side}), got {t.Datatype} {InferTensor.ShapeText(t.Shape)}");
        CheckBatch(t, maxBatch);
        if (t.Bytes is null || t.Bytes.Length != t.ElementCount)
            throw Bad($"input '{t.Name}': {t.Bytes?.Length ?? 0} bytes but shape {InferTensor.ShapeText(t.Shape)} needs {t.ElementCount}");
        int h = (int)t.Shape[1], w = (int)t.Shape[2], size = w * h * 4;
        return Enumerable.Range(0, (int)t.Shape[0]).Select(i => new RgbaFrame(t.Bytes.AsMemory(i * size, size), w, h)).ToArray();
    }

    private static void CheckBatch(InferTensor t, int maxBatch)
    {
        if (t.Shape[0] < 1 || t.Shape[0] > maxBatch)
            throw Bad($"input '{t.Name}': batch {t.Shape[0]} (the first dimension) is outside 1..{maxBatch}, the model's max_batch_size");
    }

    /// <summary>Refuses unknown output names and classification counts out of range, before any device work.</summary>
    public void CheckOutputs(IReadOnlyList<RequestedOutput>? wanted)
    {
        foreach (var o in wanted ?? [])
        {
            int index = OutputIndex(o.Name);
            if (index < 0) throw Bad($"model '{Name}' has no output '{o.Name}' (its outputs: {string.Join(", ", Outputs.Select(v => $"'{v.Name}'"))})");
            long classes = Outputs[index].Dims.Aggregate(1L, (a, d) => a * d);
            if (o.Classification < 0 || o.Classification > classes)
                throw Bad($"output '{o.Name}': classification {o.Classification} is outside 1..{classes}, its class count");
        }
    }

    /// <summary>The outputs <paramref name="wanted"/> (all when null or empty) of one request's <paramref name="samples"/>
    /// samples; <paramref name="values"/> holds each graph output's values, samples back to back.</summary>
    public IReadOnlyList<InferTensor> Encode(IReadOnlyList<RequestedOutput>? wanted, float[][] values, int samples)
    {
        var list = wanted is { Count: > 0 } ? wanted : Outputs.Select(v => new RequestedOutput(v.Name)).ToList();
        var served = Host?.Apply(values, samples) ?? values;
        return list.Select(o =>
        {
            int index = OutputIndex(o.Name);
            var dims = Outputs[index].Dims;
            return o.Classification > 0
                ? InferTensor.FromStrings(o.Name, [samples, o.Classification], Classify(served[index], samples, o.Classification, index == 0 ? Labels : null))
                : InferTensor.FromFloats(o.Name, [samples, .. dims], served[index]);
        }).ToList();
    }

    private int OutputIndex(string name)
    {
        for (int i = 0; i < Outputs.Count; i++)
            if (Outputs[i].Name == name) return i;
        return -1;
    }

    /// <summary>The classification extension: per sample, the k highest values as "value:index[:label]", highest first.</summary>
    private static string[] Classify(float[] values, int samples, int k, IReadOnlyList<string>? labels)
    {
        int classes = values.Length / samples;
        var result = new string[samples * k];
        for (int s = 0; s < samples; s++)
        {
            var row = values.AsSpan(s * classes, classes).ToArray();
            var top = Enumerable.Range(0, classes).OrderByDescending(i => row[i]).ThenBy(i => i).Take(k).ToArray();
            for (int j = 0; j < k; j++)
            {
                string text = $"{row[top[j]].ToString(CultureInfo.InvariantCulture)}:{top[j]}";
                result[s * k + j] = labels is null ? text : $"{text}:{labels[top[j]]}";
            }
        }
        return result;
    }

    private static ServingException Bad(string message) => new(ServingError.BadRequest, message);
}
