using System.Globalization;
using System.Text;
using GpuMobileNet.Import.Ncnn;
using GpuMobileNet.Tests.Hardening;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Ncnn;

/// <summary>Seeded mutations of real ncnn models (benchncnn's blazeface .param, as text and as
/// .param.bin, with seeded .bin weights): byte edits of each file and edits of the numbers in the text. Every case must
/// load or fail with a one-line bad-input exception, quickly and within a memory bound (the Fuzzer's rules).</summary>
[NonParallelizable]
public class NcnnFuzzTests
{
    private static readonly string[] InterestingNumbers = ["0", "-1", "-233", "-234", "1", "3", "65537", "2147483647", "-2147483648", "1e38", "0.5", "99999999"];

    [Test]
    public void MutatedModelsLoadOrFailCleanly()
    {
        var models = new[] { "blazeface" }.Select(Prepare).ToArray();
        new Fuzzer("ncnn", TimeSpan.FromSeconds(30), 256L << 20, TimeSpan.FromMinutes(5)).Run(1200, 20261207, (rng, _) =>
        {
            var (text, binary, bin) = models[rng.Next(models.Length)];
            switch (rng.Next(4))
            {
                case 0: NcnnImporter.Load(Fuzzer.MutateBytes(rng, text), bin, "f.param", "f.bin"); break;
                case 1: NcnnImporter.Load(Fuzzer.MutateBytes(rng, binary, 4), bin, "f.param.bin", "f.bin"); break;
                case 2: NcnnImporter.Load(text, Fuzzer.MutateBytes(rng, bin), "f.param", "f.bin"); break;
                default: NcnnImporter.Load(MutateNumbers(rng, text), bin, "f.param", "f.bin"); break;
            }
        });
    }

    private static (byte[] Text, byte[] Binary, byte[] Bin) Prepare(string model)
    {
        var text = File.ReadAllBytes(NcnnPeer.Param(model));
        var net = NcnnImporter.Parse(text, model);
        using var stream = new MemoryStream();
        NcnnRandomWeights.Write(net, NcnnRandomWeights.Generate(net, 1, model), stream);
        return (text, NcnnBinaryWriter.Write(net), stream.ToArray());
    }

    // Replaces one to three numbers of the text (counts, blob counts, parameter values) with interesting ones.
    private static byte[] MutateNumbers(Random rng, byte[] text)
    {
        var s = Encoding.UTF8.GetString(text);
        for (int edits = rng.Next(1, 4); edits > 0; edits--)
        {
            int at = rng.Next(s.Length);
            while (at < s.Length && !char.IsDigit(s[at])) at++;
            int end = at;
            while (end < s.Length && (char.IsDigit(s[end]) || s[end] is '.' or 'e' or '-')) end++;
            if (at >= s.Length) continue;
            var replacement = rng.Next(3) == 0 ? rng.Next(-300, 300).ToString(CultureInfo.InvariantCulture) : InterestingNumbers[rng.Next(InterestingNumbers.Length)];
            s = s[..at] + replacement + s[end..];
        }
        return Encoding.UTF8.GetBytes(s);
    }
}
