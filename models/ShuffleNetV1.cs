using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Models;

/// <summary>ShuffleNetV1 (Zhang et al. 2017, Table 1): a 3x3 stride-2 stem and 3x3 max pool, three stages of 4, 8 and
/// 4 units, global pool, dense, softmax. A unit is a grouped 1x1 conv to a quarter of the stage's channels + BN + ReLU,
/// a channel shuffle, a 3x3 depthwise + BN (stride 2 in a stage's first unit), a grouped 1x1 conv + BN; then a
/// residual add (stride 1) or a concatenation with the 3x3 stride-2 average-pooled input (stride 2), and ReLU. The
/// first unit's first conv is not grouped (its input has only the stem's channels). Groups 1, 2, 3, 4 or 8.</summary>
internal static class ShuffleNetV1
{
    private static readonly int[] Repeats = [4, 8, 4];

    /// <summary>Stage 2's output channels at width 1.0 for each group count (Table 1); stages 3 and 4 double it.</summary>
    public static IReadOnlyDictionary<int, int> Stage2Channels { get; } = new Dictionary<int, int>
    {
        [1] = 144, [2] = 200, [3] = 240, [4] = 272, [8] = 384,
    };

    /// <summary>ShuffleNetV1 with <paramref name="groups"/> groups at width <paramref name="scale"/> (the paper's
    /// 0.5, 1.0, 1.5, 2.0, or any width: stage channels are rounded to a multiple of 4 x groups, so the bottleneck
    /// divides into the groups; the stem has 12, 24 or 48 channels as in the reference code, rounded up to the groups).</summary>
    public static ModelGraph Create(int groups = 3, double scale = 1.0, int resolution = 224, int classes = 1000, WeightInit? weights = null)
    {
        LayerBuilder.CheckArguments(scale, resolution, classes);
        if (!Stage2Channels.TryGetValue(groups, out int stage2))
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"ShuffleNetV1 groups {groups} is not one of 1, 2, 3, 4, 8");
        var builder = new GraphBuilder($"shufflenet_v1_g{groups}_{scale:0.###}_{resolution}", new TensorShape(3, resolution, resolution));
        var layers = new TorchLayers(builder, weights ?? WeightInit.Random(0));

        int stem = RoundUp(scale < 1 ? 12 : scale > 1.5 ? 48 : 24, groups);
        var x = layers.ConvBn(builder.Input, "conv1", stem, 3, 2, 1, relu: true);
        x = layers.MaxPool(x, "maxpool");
        for (int stage = 0; stage < Repeats.Length; stage++)
        {
            int outC = StageChannels(stage2 << stage, scale, groups);
            for (int unit = 0; unit < Repeats[stage]; unit++)
                x = Unit(layers, x, outC, groups, firstGrouped: stage > 0 || unit > 0, unit == 0 ? 2 : 1, $"stage{stage + 2}_{unit}");
        }
        return layers.Head(x, classes);
    }

    /// <summary>The channels of a stage at a width: the nearest multiple of 4 x groups (ties up).</summary>
    public static int StageChannels(int channelsAtOne, double scale, int groups)
    {
        int step = 4 * groups;
        return Math.Max(step, (int)Math.Floor(channelsAtOne * scale / step + 0.5) * step);
    }

    private static Value Unit(TorchLayers layers, Value input, int outC, int groups, bool firstGrouped, int stride, string name)
    {
        var g = layers.Graph;
        int mid = outC / 4;
        int branchC = stride == 2 ? outC - input.Shape.C : outC;
        var x = layers.ConvBn(input, $"{name}_gconv1", mid, 1, 1, firstGrouped ? groups : 1, relu: true);
        if (groups > 1) x = g.ChannelShuffle($"{name}_shuffle", x, groups);
        x = layers.Depthwise(x, $"{name}_dw", 3, stride);
        // Random weights: the branch summed into the residual starts small (ResNet's zero-gamma idea), or the sums grow.
        x = layers.ConvBn(x, $"{name}_gconv2", branchC, 1, 1, groups, relu: false, randomGain: stride == 1 ? 0.5 : 1);
        if (stride == 1)
            return g.Add($"{name}_add", input, x, Activation.Relu);
        var shortcut = g.AvgPool($"{name}_avgpool", input, 3, 3, 2, 2, Padding.Symmetric(1));
        var joined = g.Concat($"{name}_concat", [shortcut, x], [shortcut.Shape.C, x.Shape.C]);
        return g.Activate($"{name}_relu", joined, Activation.Relu);
    }

    private static int RoundUp(int v, int multiple) => (v + multiple - 1) / multiple * multiple;
}
