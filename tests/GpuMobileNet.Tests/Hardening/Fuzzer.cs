using System.Diagnostics;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Hardening;

/// <summary>Runs seeded fuzz cases and records how each ended. A case may end in success or in one of the
/// documented bad-input exceptions (all derive from <see cref="InvalidInputException"/>) with a one-line message;
/// anything else, a case over the time limit or over the managed-allocation bound is a finding, reported with the
/// seed that reproduces it. The whole run has a deadline too, so a hang fails the test instead of the suite.</summary>
internal sealed class Fuzzer(string name, TimeSpan perCase, long maxAllocatedPerCase, TimeSpan whole)
{
    private readonly List<string> _findings = [];
    private volatile int _current = -1;

    public int Loaded { get; private set; }
    public int Rejected { get; private set; }
    public Dictionary<string, int> RejectionsByType { get; } = [];

    public void Run(int cases, int seed, Action<Random, int> runCase)
    {
        var task = Task.Factory.StartNew(() =>
        {
            for (int i = 0; i < cases && _findings.Count < 10; i++)
            {
                _current = i;
                var rng = new Random(seed + i);
                var clock = Stopwatch.StartNew();
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    runCase(rng, i);
                    Loaded++;
                }
                catch (InvalidInputException e)
                {
                    Rejected++;
                    RejectionsByType[e.GetType().Name] = RejectionsByType.GetValueOrDefault(e.GetType().Name) + 1;
                    if (e.Message.Length == 0 || e.Message.Contains('\n'))
                        _findings.Add($"case {i} (seed {seed + i}): {e.GetType().Name} message is not one line: {e.Message}");
                }
                catch (Exception e)
                {
                    string message = e.Message.ReplaceLineEndings(" ");
                    _findings.Add($"case {i} (seed {seed + i}): {e.GetType().Name}: {(message.Length > 300 ? message[..300] : message)} at {e.StackTrace?.Split('\n')[0].Trim()}");
                }
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (clock.Elapsed > perCase)
                    _findings.Add($"case {i} (seed {seed + i}): took {clock.Elapsed.TotalSeconds:F1} s, limit {perCase.TotalSeconds} s");
                if (allocated > maxAllocatedPerCase)
                    _findings.Add($"case {i} (seed {seed + i}): allocated {allocated >> 20} MiB, bound {maxAllocatedPerCase >> 20} MiB");
            }
        }, TaskCreationOptions.LongRunning);
        if (!task.Wait(whole))
            Assert.Fail($"{name}: case {_current} still running after {whole.TotalSeconds} s (a hang)");
        TestContext.Out.WriteLine($"{name}: {cases} cases, {Loaded} loaded, {Rejected} rejected " +
                                  $"({string.Join(", ", RejectionsByType.Select(kv => $"{kv.Key} {kv.Value}"))})");
        Assert.That(_findings, Is.Empty, $"{name}: findings:\n" + string.Join("\n", _findings));
    }

    // ---- mutations shared by the fuzz tests ----

    private static readonly byte[] InterestingBytes = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE];

    /// <summary>One to four byte-level edits: bit flips, interesting bytes, a cut, an insertion, a deletion, a repeat.</summary>
    public static byte[] MutateBytes(Random rng, byte[] source, int protectPrefix = 0)
    {
        var b = new List<byte>(source);
        int edits = rng.Next(1, 5);
        for (int e = 0; e < edits && b.Count > protectPrefix + 1; e++)
        {
            int at = rng.Next(protectPrefix, b.Count);
            switch (rng.Next(7))
            {
                case 0: b[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1: b[at] = InterestingBytes[rng.Next(InterestingBytes.Length)]; break;
                case 2: b.RemoveRange(at, b.Count - at); break;
                case 3: b.InsertRange(at, Enumerable.Range(0, rng.Next(1, 64)).Select(_ => (byte)rng.Next(256))); break;
                case 4: b.RemoveRange(at, Math.Min(rng.Next(1, 256), b.Count - at)); break;
                case 5: b.InsertRange(at, b.GetRange(at, Math.Min(rng.Next(1, 256), b.Count - at))); break;
                default: for (int k = 0; k < 4 && at + k < b.Count; k++) b[at + k] = (byte)rng.Next(256); break;
            }
        }
        return [.. b];
    }
}
