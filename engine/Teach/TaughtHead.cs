using System.Text.Json;
using System.Text.Json.Serialization;

namespace GpuMobileNet.Teach;

/// <summary>A classifier head trained on a frozen backbone's pooled features (the MobileNetV2 transfer-learning
/// recipe): either softmax regression on standardised features, or nearest centroid on L2-normalised features with
/// a softmax over scaled cosine similarities. Saved and loaded as JSON.
/// Thread-safety: <see cref="Predict"/>, <see cref="ToJson"/> and <see cref="Save"/> only read, so one head may serve
/// any number of threads; do not change its arrays meanwhile.</summary>
public sealed class TaughtHead
{
    /// <summary>Softmax regression on standardised features.</summary>
    public const string SoftmaxKind = "softmax";
    /// <summary>Nearest centroid on L2-normalised features.</summary>
    public const string CentroidKind = "centroid";

    /// <summary><see cref="SoftmaxKind"/> or <see cref="CentroidKind"/>.</summary>
    [JsonPropertyName("kind")] public string Kind { get; init; } = SoftmaxKind;
    /// <summary>The backbone the features came from.</summary>
    [JsonPropertyName("model")] public string Model { get; init; } = "";
    /// <summary>Class names, in label order.</summary>
    [JsonPropertyName("classes")] public string[] Classes { get; init; } = [];
    /// <summary>Feature vector length.</summary>
    [JsonPropertyName("features")] public int Features { get; init; }
    /// <summary>softmax: per-feature mean and 1/std used to standardise; empty for centroid.</summary>
    [JsonPropertyName("mean")] public float[] Mean { get; init; } = [];
    /// <summary>softmax: per-feature 1/std (see Mean).</summary>
    [JsonPropertyName("invStd")] public float[] InvStd { get; init; } = [];
    /// <summary>softmax: [classes][features] weights; centroid: the unit-length class centroids.</summary>
    [JsonPropertyName("weights")] public float[][] Weights { get; init; } = [];
    /// <summary>softmax: per-class bias; empty for centroid.</summary>
    [JsonPropertyName("bias")] public float[] Bias { get; init; } = [];
    /// <summary>centroid: the temperature the cosine similarities are multiplied by before the softmax.</summary>
    [JsonPropertyName("scale")] public float Scale { get; init; } = 1;

    /// <summary>Class probabilities for one feature vector.</summary>
    public float[] Predict(ReadOnlySpan<float> features)
    {
        if (features.Length != Features)
            throw new ArgumentException($"head '{Model}' expects {Features} features, got {features.Length}");
        var logits = new double[Classes.Length];
        if (Kind == CentroidKind)
        {
            double norm = 0;
            foreach (var f in features) norm += (double)f * f;
            norm = Math.Sqrt(norm) + 1e-12;
            for (int k = 0; k < logits.Length; k++)
            {
                double dot = 0;
                for (int i = 0; i < Features; i++) dot += features[i] * (double)Weights[k][i];
                logits[k] = Scale * dot / norm;
            }
        }
        else
        {
            for (int k = 0; k < logits.Length; k++)
            {
                double z = Bias[k];
                for (int i = 0; i < Features; i++) z += (features[i] - Mean[i]) * InvStd[i] * (double)Weights[k][i];
                logits[k] = z;
            }
        }
        return Softmax(logits);
    }

    internal static float[] Softmax(double[] logits)
    {
        double max = logits.Max(), sum = 0;
        var p = new double[logits.Length];
        for (int k = 0; k < p.Length; k++) sum += p[k] = Math.Exp(logits[k] - max);
        return p.Select(v => (float)(v / sum)).ToArray();
    }

    /// <summary>The same head with its classes named <paramref name="classes"/> (same count, same order).</summary>
    public TaughtHead WithClasses(string[] classes)
    {
        if (classes.Length != Classes.Length) throw new ArgumentException($"head has {Classes.Length} classes, got {classes.Length} names");
        return new TaughtHead { Kind = Kind, Model = Model, Classes = classes, Features = Features, Mean = Mean, InvStd = InvStd, Weights = Weights, Bias = Bias, Scale = Scale };
    }

    /// <summary>The head as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Writes the head as JSON to <paramref name="path"/>.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <exception cref="InvalidDataException">The JSON is not a head, or its arrays disagree in size.</exception>
    public static TaughtHead FromJson(string json, string source = "head")
    {
        TaughtHead? head;
        try { head = JsonSerializer.Deserialize<TaughtHead>(json); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not a head JSON ({e.Message})", e); }
        if (head is null) throw new InvalidDataException($"{source}: empty head JSON");
        head.Check(source);
        return head;
    }

    /// <summary>Reads a head saved with <see cref="Save"/>; a bad file is refused naming it.</summary>
    public static TaughtHead Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: head file not found");
        return FromJson(File.ReadAllText(path), path);
    }

    private void Check(string source)
    {
        if (Kind is not (SoftmaxKind or CentroidKind)) throw new InvalidDataException($"{source}: kind '{Kind}' is neither '{SoftmaxKind}' nor '{CentroidKind}'");
        if (Classes.Length < 1 || Features < 1) throw new InvalidDataException($"{source}: needs classes and a feature count");
        if (Weights.Length != Classes.Length || Weights.Any(w => w is null || w.Length != Features))
            throw new InvalidDataException($"{source}: weights must be {Classes.Length} x {Features}");
        if (Kind == SoftmaxKind && (Bias.Length != Classes.Length || Mean.Length != Features || InvStd.Length != Features))
            throw new InvalidDataException($"{source}: softmax head needs bias[{Classes.Length}], mean[{Features}] and invStd[{Features}]");
    }
}
