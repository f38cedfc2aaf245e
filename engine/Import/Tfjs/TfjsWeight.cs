namespace GpuMobileNet.Import.Tfjs;

/// <summary>A weight tensor from a TF.js manifest, dequantised to float32, in the layout it was
/// saved in (Keras: channels last).</summary>
internal sealed record TfjsWeight(string Name, int[] Shape, float[] Data)
{
    public string ShapeText => $"[{string.Join(",", Shape)}]";
}
