using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Runtime.Reference;

namespace GpuMobileNet.Runtime;

/// <summary>The CPU reference executor: plain, obviously-correct C# that is the numerical oracle for the GPU.
/// Every op accumulates in double and rounds to float once per output element.</summary>
public static class ReferenceExecutor
{
    /// <summary>Runs <paramref name="graph"/> on a batch of <paramref name="batch"/> NCHW samples laid out
    /// back to back and returns the output, also NCHW and back to back.</summary>
    public static float[] Run(ModelGraph graph, float[] input, int batch = 1) =>
        RunAll(graph, input, batch)[graph.Output];

    /// <summary>Like <see cref="Run"/> but returns every value of the graph (input included), each laid out
    /// as <paramref name="batch"/> NCHW samples back to back. Meant for debugging and per-layer comparisons.</summary>
    public static IReadOnlyDictionary<Value, float[]> RunAll(ModelGraph graph, float[] input, int batch = 1)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(input);
        if (graph.ExtraInputs.Count > 0)
            throw new ArgumentException($"graph '{graph.Name}' has {graph.Inputs.Count} inputs ({string.Join(", ", graph.Inputs.Select(v => $"'{v.Name}'"))}); " +
                "pass them all by name", nameof(input));
        return RunAll(graph, new Dictionary<string, float[]> { [graph.Input.Name] = input }, batch);
    }

    /// <summary>Like <see cref="RunAll(ModelGraph, float[], int)"/> with every graph input given by name (each NCHW,
    /// <paramref name="batch"/> samples back to back), for graphs with several inputs.</summary>
    public static IReadOnlyDictionary<Value, float[]> RunAll(ModelGraph graph, IReadOnlyDictionary<string, float[]> inputs, int batch = 1)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(inputs);
        if (batch <= 0)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"graph '{graph.Name}': batch must be positive");
        var values = new Dictionary<Value, float[]>();
        foreach (var v in graph.Inputs)
        {
            if (!inputs.TryGetValue(v.Name, out var data))
                throw new ArgumentException($"graph '{graph.Name}': no values for input '{v.Name}' (inputs are {string.Join(", ", graph.Inputs.Select(i => $"'{i.Name}'"))})", nameof(inputs));
            long expected = (long)batch * v.Shape.Elements;
            if (data.Length != expected)
                throw new ArgumentException(
                    $"graph '{graph.Name}': input has {data.Length} values but batch {batch} x {v.Shape} " +
                    $"(input '{v.Name}') needs {expected}", nameof(inputs));
            values[v] = data;
        }
        foreach (var name in inputs.Keys)
            if (!graph.Inputs.Any(v => v.Name == name))
                throw new ArgumentException($"graph '{graph.Name}' has no input '{name}' (inputs are {string.Join(", ", graph.Inputs.Select(i => $"'{i.Name}'"))})", nameof(inputs));
        foreach (var node in graph.Nodes)
            values[node.Output] = Execute(node, values, batch);
        return values;
    }

    private static float[] Execute(Node node, Dictionary<Value, float[]> values, int batch)
    {
        float[] In(Value v) => values[v];
        return node switch
        {
            Conv2dOp c => ConvReference.Run(c, In(c.Input), c.Residual is null ? null : In(c.Residual), batch),
            GatedPointwiseOp gp => ConvReference.Run(gp.Conv, ImportedOpsReference.Mul(new MulOp(gp.Name, gp.Conv.Input, gp.Gate, gp.Conv.Input), In(gp.Conv.Input), In(gp.Gate), batch),
                gp.Conv.Residual is null ? null : In(gp.Conv.Residual), batch),
            SqueezeExciteOp se => ConvReference.Run(se.Excite, ConvReference.Run(se.Squeeze,
                PoolReference.AvgPool(se.Pool, In(se.Pool.Input), batch), null, batch), null, batch),
            FusedBlockOp f => RunFusedBlock(f, In(f.Input), f.Project.Residual is null ? null : In(f.Project.Residual), batch),
            BatchNormOp bn => ElementwiseReference.BatchNorm(bn, In(bn.Input), batch),
            ActivationOp a => ElementwiseReference.Activate(In(a.Input), a.Activation),
            AddOp add => ElementwiseReference.Add(In(add.A), In(add.B), add.Activation),
            PadOp p => PoolReference.Pad(p, In(p.Input), batch),
            AvgPoolOp pool => PoolReference.AvgPool(pool, In(pool.Input), batch),
            // NCHW flatten keeps the memory order, so the values are the same array contents.
            FlattenOp f => (float[])In(f.Input).Clone(),
            // The oracle works on logical NCHW: a layout change is a storage detail, the values are unchanged.
            LayoutConvertOp l => (float[])In(l.Input).Clone(),
            DenseOp d => DenseReference.Dense(d, In(d.Input), batch),
            SoftmaxOp s => DenseReference.Softmax(In(s.Input), s.Input.Shape, batch),
            MulOp m => ImportedOpsReference.Mul(m, In(m.A), In(m.B), batch),
            MaxPoolOp p => ImportedOpsReference.MaxPool(p, In(p.Input), batch),
            TransposeOp t => ImportedOpsReference.Transpose(t, In(t.Input), batch),
            EqualOp e => ImportedOpsReference.Equal(In(e.A), In(e.B)),
            LrnOp l => Reference.LrnReference.Run(l, In(l.Input), batch),
            ConvTransposeOp ct => ConvTransposeReference.Run(ct, In(ct.Input), batch),
            AxisSoftmaxOp sa => AxisSoftmaxReference.Run(sa, In(sa.Input), batch),
            ResizeOp r => ImportedOpsReference.Resize(r, In(r.Input), batch),
            SliceChannelsOp sc => ImportedOpsReference.SliceChannels(sc, In(sc.Input), batch),
            ChannelShuffleOp cs => ShuffleReference.ChannelShuffle(cs, In(cs.Input), batch),
            ShuffledConcatOp sc => ShuffleReference.Shuffle(ShuffleReference.Concat(sc.Parts.Select(In).ToList(), sc.Output.Shape, batch), sc.Output.Shape, sc.Groups, batch),
            ShuffledReadConvOp s => ConvReference.Run(s.Conv, ShuffleReference.Shuffle(In(s.Input), s.Input.Shape, s.ShuffleGroups, batch),
                s.Conv.Residual is null ? null : In(s.Conv.Residual), batch),
            MappedConvOp m => MappedConvReference.Run(m, m.Gate is null ? In(m.Source) : ImportedOpsReference.Mul(new MulOp(m.Name, m.Source, m.Gate, m.Source), In(m.Source), In(m.Gate), batch),
                m.Into is null ? null : In(m.Into), batch),
            // The part as its own op would compute it, placed into its quads of (a copy of) the buffer so far.
            ConcatPartWriteOp w => ConcatPartWriteReference.Place(Execute(w.Part, values, batch), w.Part.Output.Shape,
                w.Into is null ? null : In(w.Into), w.Output.Shape, w.FirstChannel, batch),
            ConcatOp c => ImportedOpsReference.Concat(c, c.Parts.Select(p => p is null ? null : In(p)).ToList(), batch),
            _ => throw new NotSupportedException($"{node}: the reference executor has no implementation of {node.GetType().Name}"),
        };
    }

    /// <summary>A fused block is its parts run one after the other: the oracle does not fuse.</summary>
    private static float[] RunFusedBlock(FusedBlockOp f, float[] input, float[]? residual, int batch)
    {
        var x = f.Expand is null ? input : ConvReference.Run(f.Expand, input, null, batch);
        x = ConvReference.Run(f.Depthwise, x, null, batch);
        return ConvReference.Run(f.Project, x, residual, batch);
    }
}
