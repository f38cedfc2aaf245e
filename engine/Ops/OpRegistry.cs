using GpuMobileNet.Graph;

namespace GpuMobileNet.Ops;

/// <summary>Op type → its <see cref="OpProvider{TOp}"/>: the one list of the ops the engine runs. Everything that does
/// something per op type (the reference executor, the kernel selector, the ONNX exporter, the in-place policy, the
/// activation fusion, the folding of a ReLU into a concatenation, the finite-constants check, the packing choice,
/// graph statistics) asks here instead of switching over op types.</summary>
internal static class OpRegistry
{
    /// <summary>Every provider, one per op type.</summary>
    public static IReadOnlyList<IOpProvider> Providers { get; } =
    [
        new Conv2dProvider(),
        new DenseProvider(),
        new BatchNormProvider(),
        new ActivationProvider(),
        new AddProvider(),
        new MulProvider(),
        new EqualProvider(),
        new PadProvider(),
        new AvgPoolProvider(),
        new MaxPoolProvider(),
        new FlattenProvider(),
        new SoftmaxProvider(),
        new AxisSoftmaxProvider(),
        new TransposeProvider(),
        new ResizeProvider(),
        new ConvTransposeProvider(),
        new ConcatProvider(),
        new SliceChannelsProvider(),
        new ChannelShuffleProvider(),
        new LrnProvider(),
        // Made by the passes: fused or folded forms of the ops above.
        new LayoutConvertProvider(),
        new FusedBlockProvider(),
        new DepthwisePointwiseProvider(),
        new SqueezeExciteProvider(),
        new GatedPointwiseProvider(),
        new ChannelsLastConvProvider(),
        new ShuffledReadConvProvider(),
        new ShuffledConcatProvider(),
        new MappedConvProvider(),
        new GatherChannelsProvider(),
        new ConcatPartWriteProvider(),
    ];

    private static readonly Dictionary<Type, IOpProvider> ByType = Providers.ToDictionary(p => p.OpType);

    /// <summary>The provider of <paramref name="node"/>'s op type.</summary>
    /// <exception cref="NotSupportedException">No provider is registered for it (the message names the op).</exception>
    public static IOpProvider For(Node node) => TryFor(node)
        ?? throw new NotSupportedException($"{node}: no op provider is registered for {node.GetType().Name} (add one to OpRegistry)");

    /// <summary>The provider of <paramref name="node"/>'s op type, or null for an op the engine does not know.</summary>
    public static IOpProvider? TryFor(Node node) => ByType.GetValueOrDefault(node.GetType());

    /// <summary>The provider of op type <typeparamref name="TOp"/>.</summary>
    public static IOpProvider Of<TOp>() where TOp : Node => ByType[typeof(TOp)];

    /// <summary>The output shape <paramref name="node"/>'s inputs and attributes give (its provider's shape rule).</summary>
    public static Tensors.TensorShape OutputShape(Node node) => For(node).OutputShape(node);

    /// <summary><paramref name="node"/>'s CPU reference output from the values computed so far.</summary>
    public static float[] Reference(Node node, IReadOnlyDictionary<Value, float[]> values, int batch) => For(node).Reference(node, values, batch);

    /// <summary>The dispatches that run <paramref name="node"/> (its provider's kernel choice).</summary>
    public static IReadOnlyList<Kernels.KernelDispatch> Plan(Node node, Kernels.KernelContext ctx, Kernels.KernelChoice choice) =>
        For(node).Plan(node, ctx, choice);

    /// <summary>Writes <paramref name="node"/>'s ONNX nodes.</summary>
    public static void Export(Node node, Export.Onnx.OnnxGraphWriter w) => For(node).Export(node, w);

    /// <summary>Trainable parameters of <paramref name="node"/>.</summary>
    public static long Params(Node node) => For(node).Params(node);

    /// <summary>Multiply-adds per sample of <paramref name="node"/>.</summary>
    public static long MultiplyAdds(Node node) => For(node).MultiplyAdds(node);

    /// <summary><paramref name="node"/>'s constant arrays (its provider's <see cref="IOpProvider.Constants"/>); none for an
    /// op without a provider, which kernel selection refuses by name later.</summary>
    public static IEnumerable<OpConstant> Constants(Node node) => TryFor(node)?.Constants(node) ?? [];

    /// <summary>Throws unless <paramref name="node"/>'s output has the shape its inputs and attributes give.</summary>
    /// <exception cref="InvalidGraphException">The shapes do not fit together (the message names the op).</exception>
    public static void CheckShape(Node node)
    {
        var expected = For(node).OutputShape(node);
        if (expected != node.Output.Shape)
            throw new InvalidGraphException($"{node}: its output '{node.Output.Name}' is {node.Output.Shape}, but its inputs and attributes give {expected}");
    }
}
