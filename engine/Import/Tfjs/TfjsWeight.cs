namespace GpuMobileNet.Import.Tfjs;

/// <summary>A weight tensor from a TF.js manifest, dequantised to float32 on first use, in the layout it was
/// saved in (Keras: channels last). Decoding on use means a model that fails at some layer has decoded only the
/// weights of the layers before it.</summary>
internal sealed class TfjsWeight(string name, int[] shape, Func<float[]> decode)
{
    private float[]? _data;

    public string Name { get; } = name;
    public int[] Shape { get; } = shape;
    public float[] Data => _data ??= decode();
    public string ShapeText => $"[{string.Join(",", Shape)}]";
}
