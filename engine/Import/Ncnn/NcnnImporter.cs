using GpuMobileNet.Detection.Host;
using GpuMobileNet.Graph;
using GpuMobileNet.IO;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Import.Ncnn;

/// <summary>Imports an ncnn model: a .param (text, or binary .param.bin) and its .bin weights (fp32, fp16, int8 with
/// scales), or seeded random weights when no .bin is given. Layers are mapped onto the graph's ops; post-processing
/// layers (<see cref="HostLayers.Types"/>), and those of <see cref="HostLayers.FollowerTypes"/> that read only their
/// outputs, become host steps after the network.</summary>
internal static class NcnnImporter
{
    /// <summary>Largest .param read.</summary>
    public const long MaxParamBytes = 64L << 20;

    /// <summary>Largest .bin read (one array).</summary>
    public static long MaxWeightBytes => Array.MaxLength;

    /// <summary>Loads <paramref name="paramPath"/> with the weights in <paramref name="binPath"/> (null: seeded random ones).</summary>
    /// <exception cref="ModelLoadException">A file is missing, malformed, disagrees with the other, or uses what is not supported.</exception>
    public static NcnnModel Load(string paramPath, string? binPath = null, NcnnImportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(paramPath);
        var param = SafeFile.ReadAllBytes(paramPath, MaxParamBytes, "ncnn .param", m => new ModelLoadException(m));
        var bin = binPath is null ? null : SafeFile.ReadAllBytes(binPath, MaxWeightBytes, "ncnn .bin", m => new ModelLoadException(m));
        return Load(param, bin, paramPath, binPath ?? "", options);
    }

    /// <summary>Loads a model from memory; <paramref name="paramName"/> and <paramref name="binName"/> name the files in messages.</summary>
    internal static NcnnModel Load(byte[] param, byte[]? bin, string paramName, string binName, NcnnImportOptions? options = null)
    {
        options ??= new NcnnImportOptions();
        var net = Parse(param, paramName);
        IReadOnlyList<NcnnWeightFile.Blob[]> weights;
        if (bin is null) weights = NcnnRandomWeights.Generate(net, options.Seed, paramName);
        else
        {
            var reader = new NcnnWeightFile.Reader(bin, binName);
            weights = net.Layers.Select(l => NcnnWeightSpec.For(l).Select(s => reader.Read(l, s)).ToArray()).ToList();
            reader.CheckEnd(net.Layers.Count);
        }
        return Build(net, weights, paramName, options, bin is null);
    }

    /// <summary>Parses a .param, text or binary (told apart by the first 4 bytes).</summary>
    internal static NcnnNet Parse(byte[] param, string name)
    {
        if (param.Length == 0) throw new ModelLoadException($"{name}: the .param is empty");
        var net = NcnnBinaryParam.LooksBinary(param) ? NcnnBinaryParam.Parse(param, name) : NcnnTextParam.Parse(param, name);
        var transformer = net.Layers.Where(l => NcnnLayerTypes.Transformer.Contains(l.Type)).GroupBy(l => l.Type).ToList();
        if (transformer.Count > 0)
            throw new ModelLoadException($"{name}: transformer layers are not supported: " +
                string.Join(", ", transformer.Select(g => $"{g.Key} x{g.Count()} (first '{g.First().Name}', {g.First().Where})")));
        return net;
    }

    /// <summary>Writes seeded random weights for <paramref name="paramPath"/> to <paramref name="binPath"/>, so that ncnn
    /// runs the same weights as an import of the .param alone with that seed.</summary>
    public static void WriteRandomWeights(string paramPath, string binPath, int seed)
    {
        var param = SafeFile.ReadAllBytes(paramPath, MaxParamBytes, "ncnn .param", m => new ModelLoadException(m));
        var net = Parse(param, paramPath);
        var blobs = NcnnRandomWeights.Generate(net, seed, paramPath);
        using var stream = new BufferedStream(File.Create(binPath), 1 << 20);
        NcnnRandomWeights.Write(net, blobs, stream);
    }

    /// <summary>True when a file's first bytes are an ncnn .param's: "7767517" as text or as a binary int32.</summary>
    internal static bool LooksLikeNcnnHead(byte[] head) =>
        NcnnBinaryParam.LooksBinary(head) || head.Length >= 7 && head.AsSpan(0, 7).SequenceEqual("7767517"u8);

    private static NcnnModel Build(NcnnNet net, IReadOnlyList<NcnnWeightFile.Blob[]> weights, string file, NcnnImportOptions options, bool random)
    {
        var inputs = net.Layers.Where(l => l.Type == "Input").ToList();
        if (inputs.Count != 1 || inputs[0].Tops.Count != 1)
            throw new ModelLoadException($"{file}: the model has {inputs.Count} Input layers; exactly one with one output is supported");
        var p = inputs[0].Params;
        // An Input that declares no size (FastestDet's) takes the given size and 3 channels (an image).
        int w = options.InputWidth ?? p.Int(0, 0), h = options.InputHeight ?? p.Int(1, 0), c = p.Int(2, 0) == 0 && w > 0 && h > 0 ? 3 : p.Int(2, 0);
        if (w <= 0 || h <= 0 || c <= 0 || w > 1 << 16 || h > 1 << 16 || c > 1 << 16)
            throw new ModelLoadException($"{file}: {inputs[0]}: input {w}x{h}x{c} (w, h, c) is not a valid size; give the size (--input-size HxW) if the layer declares none");
        try
        {
            var builder = new GraphBuilder(Path.GetFileNameWithoutExtension(file), new TensorShape(c, h, w), inputs[0].Tops[0]);
            var mapper = new NcnnLayerMapper(builder, net, file);
            var hostSteps = new List<NcnnHostStep>();
            for (int i = 0; i < net.Layers.Count; i++)
            {
                var layer = net.Layers[i];
                if (HostLayers.Types.Contains(layer.Type) || mapper.FollowsHostLayers(layer)) hostSteps.Add(mapper.Host(layer));
                else mapper.Map(layer, weights[i]);
            }
            var outputs = mapper.Outputs(hostSteps);
            bool int8 = net.Layers.Any(l => NcnnWeightSpec.For(l).Any(s => s.Kind == NcnnBlobKind.WeightScale));
            return new NcnnModel(builder.BuildPruned(outputs), hostSteps, mapper.InputBlobs(hostSteps), int8, random) { Warnings = net.Warnings };
        }
        catch (InvalidGraphException e)
        {
            throw new ModelLoadException($"{file}: {e.Message}", e);
        }
    }
}
