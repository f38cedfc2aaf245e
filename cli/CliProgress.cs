namespace GpuMobileNet.Cli;

/// <summary>Progress of long work on stderr: a bar redrawn in place when stderr is a terminal, one plain "[i/n] what"
/// line per step otherwise (logs and scripts keep every line, and no control characters).</summary>
internal static class CliProgress
{
    private const int BarWidth = 30;

    /// <summary>Step <paramref name="done"/> of <paramref name="total"/> (1-based) is starting; <paramref name="what"/> names it.</summary>
    public static void Step(int done, int total, string what)
    {
        if (Console.IsErrorRedirected)
        {
            Console.Error.WriteLine($"[{done}/{total}] {what}");
            return;
        }
        int filled = total == 0 ? BarWidth : BarWidth * (done - 1) / total;
        string name = what.Length > 40 ? what[..37] + "..." : what;
        Console.Error.Write($"\r[{new string('#', filled)}{new string('.', BarWidth - filled)}] {done}/{total} {name,-40}");
    }

    /// <summary>The work is over: on a terminal the bar's line is cleared.</summary>
    public static void Done()
    {
        if (!Console.IsErrorRedirected) Console.Error.Write("\r" + new string(' ', BarWidth + 60) + "\r");
    }
}
