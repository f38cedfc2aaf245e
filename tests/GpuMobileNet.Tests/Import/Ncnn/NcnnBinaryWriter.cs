using System.Buffers.Binary;
using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Tests.Import.Ncnn;

/// <summary>Writes a parsed .param in the binary .param.bin form (as ncnn2mem does), for tests of the binary reader:
/// blobs are numbered in the order they are first written, every parameter is written as an array.</summary>
internal static class NcnnBinaryWriter
{
    public static byte[] Write(NcnnNet net)
    {
        var blobs = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in net.Layers.SelectMany(l => l.Tops)) blobs.TryAdd(t, blobs.Count);
        var words = new List<int> { 7767517, net.Layers.Count, blobs.Count };
        foreach (var layer in net.Layers)
        {
            words.Add(NcnnLayerTypes.IndexOf(layer.Type));
            words.Add(layer.Bottoms.Count);
            words.Add(layer.Tops.Count);
            words.AddRange(layer.Bottoms.Select(b => blobs[b]));
            words.AddRange(layer.Tops.Select(t => blobs[t]));
            foreach (int id in layer.Params.Ids)
            {
                var items = layer.Params.Floats(id);
                words.Add(-23300 - id);
                words.Add(items.Length);
                bool isFloat = NcnnLayerTypes.IsFloat(layer.Type, id);
                words.AddRange(items.Select(v => isFloat ? BitConverter.SingleToInt32Bits(v) : (int)v));
            }
            words.Add(-233);
        }
        var bytes = new byte[words.Count * 4];
        for (int i = 0; i < words.Count; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), words[i]);
        return bytes;
    }
}
