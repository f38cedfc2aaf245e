using System.Collections.Concurrent;
using System.Diagnostics;

namespace GpuMobileNet.Runtime;

/// <summary>Where a short process's time goes (Vulkan instance and device, import, passes, planning, pipeline creation,
/// weight upload, ...): each phase's start (ms since the process started) and length, recorded by the engine as the
/// phase ends, on whichever thread ran it. Off unless <see cref="Enabled"/> (`gmn classify --json` turns it on), so a
/// long-running server collects nothing. Thread-safe.</summary>
internal static class PhaseLog
{
    private static readonly ConcurrentQueue<Phase> Phases = new();
    private static long _mainTicks;

    // Read from /proc on first use only: a command that times nothing does not pay for it.
    private static readonly Lazy<long> ProcessStartTicks = new(() => Stopwatch.GetTimestamp() -
        (long)((DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds * Stopwatch.Frequency));

    private readonly record struct Phase(string Name, double StartMs, double Ms);

    public static bool Enabled { get; set; }

    /// <summary>Milliseconds from the process's start to now (what the runtime took before Main, and more).</summary>
    public static double SinceProcessStartMs => Stopwatch.GetElapsedTime(ProcessStartTicks.Value).TotalMilliseconds;

    /// <summary>Times <paramref name="name"/> until the returned scope is disposed (nothing when off).</summary>
    public static Scope Measure(string name) => new(Enabled ? name : null, Stopwatch.GetTimestamp());

    /// <summary>When Main began (ms since the process started: the runtime's start), if the program said (<see cref="MarkMain"/>).</summary>
    public static double? MainStartMs => _mainTicks == 0 ? null : Stopwatch.GetElapsedTime(ProcessStartTicks.Value, _mainTicks).TotalMilliseconds;

    /// <summary>Notes that Main begins now (a timestamp only).</summary>
    public static void MarkMain() => _mainTicks = Stopwatch.GetTimestamp();

    /// <summary>The phases recorded so far, those of one name summed (Occurrences: how many times it ran, StartMs:
    /// the first start), by start.</summary>
    public static IReadOnlyList<(string Name, double StartMs, double Ms, int Occurrences)> Summary() =>
        [.. Phases.GroupBy(p => p.Name).Select(g => (g.Key, g.Min(p => p.StartMs), g.Sum(p => p.Ms), g.Count())).OrderBy(p => p.Item2)];

    public readonly struct Scope(string? name, long start) : IDisposable
    {
        public void Dispose()
        {
            if (name is null) return;
            Phases.Enqueue(new Phase(name, Stopwatch.GetElapsedTime(ProcessStartTicks.Value, start).TotalMilliseconds,
                Stopwatch.GetElapsedTime(start).TotalMilliseconds));
        }
    }
}
