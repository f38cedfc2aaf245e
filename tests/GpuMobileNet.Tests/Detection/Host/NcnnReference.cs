using System.Globalization;
using System.Text.Json;
using GpuMobileNet.Detection;
using GpuMobileNet.Detection.Host;
using GpuMobileNet.Import.Ncnn;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Detection.Host;

/// <summary>ncnn itself as the reference for the host layers: runs a hand-made .param through the peer's ncnn_run
/// (shared/peers/ncnn beside the checkout, or GMN_NCNN_PEER_DIR) and reads back the blobs it prints, so our layer can be run on the
/// very inputs ncnn's layer saw. A missing peer fails the test, never skips it.</summary>
internal static class NcnnReference
{
    /// <summary>The ncnn peer folder (its `run` wrapper and params/).</summary>
    public static string PeerDir => Import.Ncnn.NcnnPeer.Folder;

    /// <summary>The peer's `run` wrapper (ncnn_run, benchncnn).</summary>
    public static string RunScript => Import.Ncnn.NcnnPeer.RunScript;

    /// <summary>Runs <paramref name="layers"/> (one .param line each; the first an Input named "data") on
    /// <paramref name="input"/> (planar C x H x W) with zero weights and returns the blobs named in <paramref name="outputs"/>.</summary>
    public static Dictionary<string, HostTensor> Run(string[] layers, (int W, int H, int C) shape, float[] input, params string[] outputs)
    {
        using var dir = new TempDir();
        int blobs = layers.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Sum(t => int.Parse(t[3], CultureInfo.InvariantCulture));
        File.WriteAllText(dir.File("x.param"), $"7767517\n{layers.Length} {blobs}\n{string.Join('\n', layers)}\n");
        return RunFile(dir.File("x.param"), shape, input, outputs);
    }

    /// <summary>Runs the .param <paramref name="param"/> as <see cref="Run"/> does.</summary>
    public static Dictionary<string, HostTensor> RunFile(string param, (int W, int H, int C) shape, float[] input, params string[] outputs)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("in.f32"), input.SelectMany(BitConverter.GetBytes).ToArray());
        string json = Import.Ncnn.NcnnPeer.RunJson(param, "-", dir.File("in.f32"), $"{shape.W},{shape.H},{shape.C}", "--out", string.Join(',', outputs));
        using var doc = JsonDocument.Parse(json);
        return outputs.ToDictionary(o => o, o => ToTensor(doc.RootElement.GetProperty(o)));
    }

    private static HostTensor ToTensor(JsonElement blob)
    {
        var dims = blob.GetProperty("dims").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var data = blob.GetProperty("data").EnumerateArray().Select(d => d.GetSingle()).ToArray();
        return dims.Length switch
        {
            3 => new HostTensor(dims[0], dims[1], dims[2], data),
            2 => new HostTensor(1, dims[0], dims[1], data, Dims: 2),
            _ => new HostTensor(1, 1, data.Length, data, Dims: 1),
        };
    }

    /// <summary>Our parameters from a .param line's k=v pairs (arrays: id -23300 - k, "count,items"), as ncnn reads them.</summary>
    public static NcnnParams Params(string line)
    {
        var values = new Dictionary<int, float[]>();
        var floats = new HashSet<int>();
        foreach (var pair in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(t => t.Contains('=')))
        {
            var (key, text) = (int.Parse(pair[..pair.IndexOf('=')], CultureInfo.InvariantCulture), pair[(pair.IndexOf('=') + 1)..]);
            int id = key <= -23300 ? -23300 - key : key;
            var items = key <= -23300 ? text.Split(',')[1..] : [text];
            values[id] = items.Select(i => float.Parse(i, CultureInfo.InvariantCulture)).ToArray();
            if (items.Any(i => i.Contains('.') || i.Contains('e') || i.Contains('E'))) floats.Add(id);
        }
        return new NcnnParams(values, floats);
    }

    /// <summary>Asserts two detection results hold the same boxes: equal counts, then row by row in score order (ties
    /// by label) the same label, the score within 1e-4 and the boxes' IoU at least 0.99.</summary>
    public static void AssertSameDetections(HostTensor ours, HostTensor ncnn) =>
        AssertSameDetections(DetectionRows.ToDetections(ours.Data), DetectionRows.ToDetections(ncnn.Data));

    /// <summary>As <see cref="AssertSameDetections(HostTensor, HostTensor)"/>, on detections.</summary>
    public static void AssertSameDetections(IReadOnlyList<GpuMobileNet.Detection.Detection> ours, IReadOnlyList<GpuMobileNet.Detection.Detection> ncnn)
    {
        Assert.That(ncnn, Is.Not.Empty, "ncnn found nothing: the case does not test anything");
        var expected = Sorted(ncnn);
        var actual = Sorted(ours);
        Assert.That(actual, Has.Count.EqualTo(expected.Count),
            $"detections: ours {string.Join("; ", actual.Take(12))} ... ncnn {string.Join("; ", expected.Take(12))} ...");
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.That(actual[i].ClassId, Is.EqualTo(expected[i].ClassId), $"row {i} label: ours {actual[i]}, ncnn {expected[i]}");
            Assert.That(actual[i].Score, Is.EqualTo(expected[i].Score).Within(1e-4), $"row {i} score: ours {actual[i]}, ncnn {expected[i]}");
            Assert.That(actual[i].Box.IoU(expected[i].Box), Is.GreaterThanOrEqualTo(0.99f), $"row {i} box: ours {actual[i]}, ncnn {expected[i]}");
        }
    }

    private static List<GpuMobileNet.Detection.Detection> Sorted(IEnumerable<GpuMobileNet.Detection.Detection> detections) =>
        detections.OrderByDescending(d => MathF.Round(d.Score, 4)).ThenBy(d => d.ClassId).ThenBy(d => d.Box.XMin).ToList();
}
