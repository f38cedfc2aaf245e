using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>An infer request body in the binary tensor data extension's layout: the JSON header (one input, its
/// binary_data_size), then the input's bytes; Inference-Header-Content-Length gives the header's length.</summary>
internal static class KServeRequest
{
    public static ByteArrayContent Binary(string input, string datatype, long[] shape, byte[] raw)
    {
        var header = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = input, ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()), ["datatype"] = datatype,
                ["parameters"] = new JsonObject { ["binary_data_size"] = raw.Length },
            }),
        }.ToJsonString());
        var content = new ByteArrayContent([.. header, .. raw]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(CultureInfo.InvariantCulture));
        return content;
    }

    /// <summary>FP32 values as the extension sends them: little-endian, back to back.</summary>
    public static byte[] Bytes(float[] values)
    {
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        return raw;
    }
}
