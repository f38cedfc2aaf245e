using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Export.Tfjs;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Teach;

/// <summary>A taught model as one graph: the backbone up to its pooled features, then the head as graph ops, so it
/// exports (ONNX, TF.js) and runs like any model. Softmax regression folds its standardisation into one dense layer
/// (W' = W·invStd, b' = b − W'·mean) then a softmax; nearest centroid L2-normalises the features with an LRN whose
/// window spans every channel (x / sqrt(ε + Σx²)), then a bias-free dense layer of scale × centroids and a softmax.
/// Thread-safety: thread-safe (pure functions).</summary>
public static class TaughtModel
{
    /// <summary>The output's name in the graph (and in exported files).</summary>
    public const string OutputName = "taught_probabilities";

    /// <summary>The backbone <paramref name="graph"/> cut at its pooled features (see <see cref="FeatureExtractor"/>)
    /// followed by <paramref name="head"/>: its output is the head's class probabilities.</summary>
    /// <exception cref="ArgumentException">The head's feature count is not the backbone's.</exception>
    public static ModelGraph Build(ModelGraph graph, TaughtHead head)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(head);
        var features = graph.Nodes.OfType<DenseOp>().Any() ? GraphCut.Features(graph) : graph.Output;
        if (features.Shape.Elements != head.Features)
            throw new ArgumentException($"head has {head.Features} features; model '{graph.Name}' gives {features.Shape.Elements}");
        var backbone = GraphCut.Before(graph, features);
        var nodes = backbone.Nodes.ToList();
        var x = features;
        if (x.Shape.H != 1 || x.Shape.W != 1) x = Append(nodes, new Value("taught_flatten", new TensorShape(x.Shape.Elements, 1, 1)), (n, y) => new FlattenOp(n, x, y));
        var (weights, bias) = head.Kind == TaughtHead.CentroidKind ? CentroidDense(head) : SoftmaxDense(head);
        if (head.Kind == TaughtHead.CentroidKind)
        {
            var unnormalised = x;
            // Size 2F+1 centred on any channel covers all F; alpha = size makes the sum's factor 1.
            int size = 2 * head.Features + 1;
            x = Append(nodes, new Value("taught_l2norm", x.Shape), (n, y) => new LrnOp(n, unnormalised, y, size, size, 0.5f, 1e-24f));
        }
        var logits = Append(nodes, new Value("taught_logits", new TensorShape(head.Classes.Length, 1, 1)), (n, y) => new DenseOp(n, x, y, weights, bias));
        var probabilities = Append(nodes, new Value(OutputName, logits.Shape), (n, y) => new SoftmaxOp(n, logits, y));
        return new ModelGraph(graph.Name + "+taught", graph.Input, nodes, probabilities, null, graph.ExtraInputs);
    }

    /// <summary>The taught model as an ONNX file's bytes (opset 13; input NCHW, output [1, classes]).</summary>
    public static byte[] ToOnnx(ModelGraph graph, TaughtHead head) => OnnxExporter.ToBytes(Build(graph, head));

    /// <summary>The taught model as a TF.js layers model: model.json's text and the weights file's bytes
    /// (<see cref="TfjsExporter.WeightsFile"/>).</summary>
    /// <exception cref="NotSupportedException">A nearest-centroid head (TF.js layers has no L2 normalisation), or a
    /// backbone op without a Keras layer.</exception>
    public static (string ModelJson, byte[] Weights) ToTfjs(ModelGraph graph, TaughtHead head)
    {
        if (head.Kind == TaughtHead.CentroidKind)
            throw new NotSupportedException("TF.js export: a nearest-centroid head L2-normalises its features, which TF.js layers has no layer for; " +
                                            "train a softmax head (gmn teach --kind softmax) or export ONNX");
        return TfjsExporter.ToFiles(Build(graph, head));
    }

    /// <summary>labels.txt for the taught model: one class name per line, in output order.</summary>
    public static string LabelsText(TaughtHead head) => string.Join('\n', head.Classes) + "\n";

    private static Value Append(List<Node> nodes, Value output, Func<string, Value, Node> op)
    {
        nodes.Add(op(output.Name, output));
        return output;
    }

    private static (float[] Weights, float[]? Bias) CentroidDense(TaughtHead head) =>
        (head.Weights.SelectMany(c => c.Select(v => v * head.Scale)).ToArray(), null);

    private static (float[] Weights, float[]? Bias) SoftmaxDense(TaughtHead head)
    {
        int k = head.Classes.Length, f = head.Features;
        var weights = new float[k * f];
        var bias = new float[k];
        for (int c = 0; c < k; c++)
        {
            double b = head.Bias[c];
            for (int i = 0; i < f; i++)
            {
                double w = (double)head.Weights[c][i] * head.InvStd[i];
                weights[c * f + i] = (float)w;
                b -= w * head.Mean[i];
            }
            bias[c] = (float)b;
        }
        return (weights, bias);
    }
}
