using GpuMobileNet.Export.Onnx.Proto;

namespace GpuMobileNet.Export.Onnx;

/// <summary>Short constructors for ONNX node attributes; the type tag must match the field that is set.</summary>
internal static class Attr
{
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>ONNX orders pads as all begins then all ends: [H_begin, W_begin, H_end, W_end].</summary>
    public static long[] Pads(Graph.Padding p) => [p.Top, p.Left, p.Bottom, p.Right];
}
