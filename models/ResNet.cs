using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Models;

/// <summary>ResNet-18 and ResNet-34 (He et al. 2016, Table 1) as torchvision builds them: a 7x7 stride-2 stem and 3x3
/// stride-2 max pool, four stages of basic blocks (two 3x3 convs, the first strided at a stage's start, a 1x1 stride-2
/// conv on the shortcut where the shape changes; the sum then ReLU) of 64, 128, 256 and 512 channels, global pool,
/// dense, softmax. The dense-convolution benchmark beside the MobileNets: 1.8 G multiply-adds at 224 for ResNet-18.</summary>
internal static class ResNet
{
    /// <summary>Basic blocks per stage for each depth (Table 1).</summary>
    public static IReadOnlyDictionary<int, int[]> StageBlocks { get; } = new Dictionary<int, int[]>
    {
        [18] = [2, 2, 2, 2],
        [34] = [3, 4, 6, 3],
    };

    /// <summary>ResNet of <paramref name="depth"/> (18 or 34) layers with stage widths 64, 128, 256, 512 scaled by
    /// <paramref name="alpha"/> (rounded to multiples of 8) and seeded random weights unless <paramref name="weights"/>
    /// says otherwise.</summary>
    public static ModelGraph Create(int depth = 18, double alpha = 1.0, int resolution = 224, int classes = 1000, WeightInit? weights = null)
    {
        LayerBuilder.CheckArguments(alpha, resolution, classes);
        if (!StageBlocks.TryGetValue(depth, out var blocks))
            throw new ArgumentOutOfRangeException(nameof(depth), depth, $"ResNet depth {depth} is not one of {string.Join(", ", StageBlocks.Keys)}");
        var builder = new GraphBuilder($"resnet{depth}_{alpha:0.###}_{resolution}", new TensorShape(3, resolution, resolution));
        var layers = new TorchLayers(builder, weights ?? WeightInit.Random(0));
        int Width(int channels) => Math.Max(8, (int)Math.Round(channels * alpha / 8) * 8);

        var x = layers.ConvBn(builder.Input, "conv1", Width(64), 7, 2, 1, relu: true);
        x = layers.MaxPool(x, "maxpool");
        for (int stage = 0; stage < blocks.Length; stage++)
            for (int block = 0; block < blocks[stage]; block++)
                x = BasicBlock(layers, x, Width(64 << stage), stage > 0 && block == 0 ? 2 : 1, $"layer{stage + 1}_{block}");
        return layers.Head(x, classes);
    }

    private static Value BasicBlock(TorchLayers layers, Value input, int outC, int stride, string name)
    {
        var x = layers.ConvBn(input, $"{name}_conv1", outC, 3, stride, 1, relu: true);
        // Random weights: the branch summed into the residual starts small (the zero-gamma idea), or 8 sums grow.
        x = layers.ConvBn(x, $"{name}_conv2", outC, 3, 1, 1, relu: false, randomGain: 0.3);
        var shortcut = stride != 1 || input.Shape.C != outC
            ? layers.ConvBn(input, $"{name}_downsample", outC, 1, stride, 1, relu: false)
            : input;
        return layers.Graph.Activate($"{name}_relu", layers.Graph.Add($"{name}_add", x, shortcut), Activation.Relu);
    }
}
