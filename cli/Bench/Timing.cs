using System.Diagnostics;
using GpuMobileNet.Runtime;

namespace GpuMobileNet.Cli.Bench;

/// <summary>Wall-clock timing of whole runs of a session on a fixed input.</summary>
internal static class Timing
{
    /// <summary>Runs <paramref name="warmup"/> untimed, then <paramref name="runs"/> timed, and returns the
    /// latency and the output of the last run.</summary>
    public static (BatchLatency Latency, float[] Output) Time(InferenceSession session, float[] input, int warmup, int runs, Action? onRun = null)
    {
        var output = new float[session.OutputLength];
        var ms = Runs(() => session.Run(input, output), warmup, runs, onRun);
        return (BatchLatency.From(session.Batch, ms, session.SubBatch), output);
    }

    /// <summary>Runs <paramref name="run"/> <paramref name="warmup"/> times untimed, then <paramref name="runs"/> times
    /// timed (<paramref name="onRun"/> after each), and returns the timed runs' milliseconds.</summary>
    public static double[] Runs(Action run, int warmup, int runs, Action? onRun = null)
    {
        for (int i = 0; i < warmup; i++) run();
        var ms = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            onRun?.Invoke();
        }
        return ms;
    }
}
