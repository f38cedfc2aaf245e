using System.Globalization;
using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Models;

/// <summary>ShuffleNetV2 (Ma et al. 2018, Table 5) as torchvision builds it: a 3x3 stride-2 stem and 3x3 max pool,
/// three stages of 4, 8 and 4 units, a 1x1 conv, global pool, dense, softmax. A stride-1 unit splits its input's
/// channels in halves, runs the second half through 1x1 → 3x3 depthwise → 1x1 and concatenates it after the first;
/// a stride-2 unit runs the whole input through two branches (3x3 depthwise s2 → 1x1, and 1x1 → depthwise s2 → 1x1)
/// and concatenates them; every unit ends with a channel shuffle in 2 groups. Widths 0.5, 1.0, 1.5 and 2.0.</summary>
internal static class ShuffleNetV2
{
    private static readonly int[] Repeats = [4, 8, 4];

    /// <summary>The widths the paper defines (Table 5), each with its stage output channels and last conv's channels.</summary>
    public static IReadOnlyDictionary<double, int[]> StageChannels { get; } = new Dictionary<double, int[]>
    {
        [0.5] = [24, 48, 96, 192, 1024],
        [1.0] = [24, 116, 232, 464, 1024],
        [1.5] = [24, 176, 352, 704, 1024],
        [2.0] = [24, 244, 488, 976, 2048],
    };

    /// <summary>ShuffleNetV2 at width <paramref name="scale"/> (0.5, 1.0, 1.5 or 2.0) with seeded random weights unless
    /// <paramref name="weights"/> says otherwise.</summary>
    public static ModelGraph Create(double scale = 1.0, int resolution = 224, int classes = 1000, WeightInit? weights = null)
    {
        LayerBuilder.CheckArguments(scale, resolution, classes);
        if (!StageChannels.TryGetValue(scale, out var channels))
            throw new ArgumentOutOfRangeException(nameof(scale), scale,
                $"ShuffleNetV2 width {scale} is not one of the paper's: {string.Join(", ", StageChannels.Keys.Select(k => k.ToString(CultureInfo.InvariantCulture)))}");
        var builder = new GraphBuilder($"shufflenet_v2_{scale:0.###}_{resolution}", new TensorShape(3, resolution, resolution));
        var layers = new TorchLayers(builder, weights ?? WeightInit.Random(0));

        var x = layers.ConvBn(builder.Input, "conv1", channels[0], 3, 2, 1, relu: true);
        x = layers.MaxPool(x, "maxpool");
        for (int stage = 0; stage < Repeats.Length; stage++)
            for (int unit = 0; unit < Repeats[stage]; unit++)
                x = Unit(layers, x, channels[stage + 1], unit == 0 ? 2 : 1, $"stage{stage + 2}_{unit}");
        x = layers.ConvBn(x, "conv5", channels[4], 1, 1, 1, relu: true);
        return layers.Head(x, classes);
    }

    private static Value Unit(TorchLayers layers, Value input, int outC, int stride, string name)
    {
        var g = layers.Graph;
        int half = outC / 2;
        Value left, right;
        if (stride == 1)
        {
            int c = input.Shape.C / 2;
            left = g.SliceChannels($"{name}_split0", input, 0, c);
            right = Branch(layers, g.SliceChannels($"{name}_split1", input, c, c), half, 1, name);
        }
        else
        {
            left = layers.Depthwise(input, $"{name}_branch1_dw", 3, 2);
            left = layers.ConvBn(left, $"{name}_branch1_pw", half, 1, 1, 1, relu: true);
            right = Branch(layers, input, half, 2, name);
        }
        var joined = g.Concat($"{name}_concat", [left, right], [left.Shape.C, right.Shape.C]);
        return g.ChannelShuffle($"{name}_shuffle", joined, 2);
    }

    private static Value Branch(TorchLayers layers, Value x, int outC, int stride, string name)
    {
        x = layers.ConvBn(x, $"{name}_branch2_pw1", outC, 1, 1, 1, relu: true);
        x = layers.Depthwise(x, $"{name}_branch2_dw", 3, stride);
        return layers.ConvBn(x, $"{name}_branch2_pw2", outC, 1, 1, 1, relu: true);
    }
}
