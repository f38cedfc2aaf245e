using GpuMobileNet.Graph;

namespace GpuMobileNet.Models;

/// <summary>SSDLite on MobileNetV2 as the MobileNetV2 paper describes it (Sandler et al. 2018, section 6.2, Table 6)
/// and TensorFlow's object detection API builds it (ssdlite_mobilenet_v2_coco): the first prediction layer on the
/// expansion of layer 15 (stride 16), the second on the last layer (1280 channels, stride 32), then four extra feature
/// layers of 512, 256, 256 and 128 channels, each 1x1 to half its depth → 3x3 depthwise stride 2 → 1x1, all with BN and
/// ReLU6. Every prediction layer is depthwise separable: per feature map and per head (boxes, classes) a 3x3 depthwise
/// conv (BN, ReLU6) then a 1x1 conv with bias to anchors x 4 box codes or anchors x classes logits. Anchors per
/// location: 3 on the first map (reduce_boxes_in_lowest_layer), 6 on the others; 2,034 anchors at 320x320.
/// Outputs (as TFLite's SSD exports name them): "box_encodings" (anchors x 4 x 1: ty, tx, th, tw per anchor, anchor
/// order = map, row, column, anchor) and "class_predictions" (anchors x classes x 1, logits, class 0 = background).</summary>
internal static class SsdLite
{
    /// <summary>Depths of the four extra feature layers (TF: layer_depth [-1, -1, 512, 256, 256, 128]).</summary>
    private static readonly int[] ExtraDepths = [512, 256, 256, 128];

    /// <summary>COCO's 90 classes and the background, as the paper's detector has.</summary>
    public const int CocoClasses = 91;

    /// <summary>The paper's input size (Table 6).</summary>
    public const int PaperResolution = 320;

    /// <summary>Anchors per location on feature map <paramref name="map"/>.</summary>
    public static int AnchorsPerLocation(int map) => map == 0 ? 3 : 6;

    /// <param name="alpha">Width multiplier of the backbone and the extra layers (min depth 16, as TF's min_depth).</param>
    /// <param name="resolution">Square input size.</param>
    /// <param name="classes">Classes including the background (91 for COCO).</param>
    /// <param name="weights">Weights (seeded random unless real ones are supplied).</param>
    public static ModelGraph Create(double alpha = 1.0, int resolution = PaperResolution, int classes = CocoClasses, WeightInit? weights = null)
    {
        LayerBuilder.CheckArguments(alpha, resolution, classes);
        var builder = new GraphBuilder($"ssdlite_mobilenet_v2_{alpha:0.###}_{resolution}", new Tensors.TensorShape(3, resolution, resolution));
        var layers = new LayerBuilder(builder, weights ?? WeightInit.Random(0));
        var (stride16, last) = MobileNetV2.Features(layers, alpha);

        var maps = new List<Value> { stride16, last };
        var x = last;
        for (int i = 0; i < ExtraDepths.Length; i++)
        {
            int depth = Math.Max(16, (int)(ExtraDepths[i] * alpha));
            string name = $"extra_{i + 2}";
            x = layers.ConvBn(x, $"{name}_1x1", $"{name}_1x1_bn", $"{name}_1x1_relu", Math.Max(16, depth / 2), 1, 1, false, Activation.Relu6);
            x = layers.ConvBn(x, $"{name}_depthwise", $"{name}_depthwise_bn", $"{name}_depthwise_relu", x.Shape.C, 3, 2, true, Activation.Relu6);
            x = layers.ConvBn(x, $"{name}_3x3_s2", $"{name}_3x3_s2_bn", $"{name}_3x3_s2_relu", depth, 1, 1, false, Activation.Relu6);
            maps.Add(x);
        }

        var boxes = new List<Value>();
        var scores = new List<Value>();
        for (int m = 0; m < maps.Count; m++)
        {
            int anchors = AnchorsPerLocation(m);
            boxes.Add(Head(layers, maps[m], $"box_predictor_{m}_box", anchors * 4));
            scores.Add(Head(layers, maps[m], $"box_predictor_{m}_class", anchors * classes));
        }
        var boxEncodings = Join(builder, boxes, "box_encodings", 4);
        var classPredictions = Join(builder, scores, "class_predictions", classes);
        return builder.Build(boxEncodings).WithExtraOutputs(classPredictions.Name);
    }

    /// <summary>A depthwise-separable prediction layer: 3x3 depthwise (BN, ReLU6), then a 1x1 conv with bias to
    /// <paramref name="outC"/>, seen as (H, W, outC) so the values of one location's anchors are adjacent.</summary>
    private static Value Head(LayerBuilder layers, Value map, string name, int outC)
    {
        var x = layers.ConvBn(map, $"{name}_depthwise", $"{name}_depthwise_bn", $"{name}_depthwise_relu", map.Shape.C, 3, 1, true, Activation.Relu6);
        var w = layers.Weights.ConvWeights(name, outC, x.Shape.C, 1, 1);
        var y = layers.Graph.Conv2d(name, x, outC, 1, 1, Padding.Zero, 1, w, layers.Weights.Bias(name, outC));
        var hwc = layers.Graph.Transpose($"{name}_hwc", y, [1, 2, 0]);
        return layers.Graph.Reshape($"{name}_flat", hwc, new Tensors.TensorShape(hwc.Shape.Elements, 1, 1));
    }

    /// <summary>The maps' predictions one after another, seen as anchors x <paramref name="perAnchor"/>.</summary>
    private static Value Join(GraphBuilder builder, List<Value> parts, string name, int perAnchor)
    {
        var all = builder.Concat($"{name}_concat", parts.Cast<Value?>().ToList(), parts.Select(p => p.Shape.C).ToList());
        return builder.Reshape(name, all, new Tensors.TensorShape(all.Shape.C / perAnchor, perAnchor, 1));
    }

    /// <summary>Anchors of a <paramref name="resolution"/> input: the sum over the six maps of H x W x anchors per location
    /// (the maps are at strides 16 and 32, then each extra layer halves the side, rounding up as SAME padding does).</summary>
    public static int AnchorCount(int resolution)
    {
        var sides = new int[6];
        sides[0] = (resolution + 15) / 16;
        sides[1] = (resolution + 31) / 32;
        for (int i = 2; i < sides.Length; i++) sides[i] = (sides[i - 1] + 1) / 2;
        return sides.Select((side, m) => side * side * AnchorsPerLocation(m)).Sum();
    }
}
