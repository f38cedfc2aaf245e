namespace GpuMobileNet.Cli;

/// <summary>Turns any failure into one line on stderr and an exit code scripts can tell apart: 0 ok, 1 the work failed,
/// 2 the command line is wrong, 3 Vulkan validation messages (with GMN_VALIDATION=1). Users see what is wrong with
/// which file, not a stack trace (set GMN_DEBUG=1 for the trace).</summary>
internal static class CliErrors
{
    /// <summary>Exit code of a command whose command line is wrong (unknown option, missing argument, bad value).</summary>
    public const int UsageExitCode = 2;

    public static int Run(Func<int> body)
    {
        int code;
        try
        {
            code = body();
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("GMN_DEBUG") != "1")
        {
            var inner = e is AggregateException { InnerException: { } i } ? i : e;
            Console.Error.WriteLine($"gmn: error: {OneLine(inner.Message)}");
            code = inner is UsageException ? UsageExitCode : 1;
        }
        // Validation messages were printed as they arrived; a run that raised any has failed, whatever it printed.
        if (CliDevice.ValidationMessages > 0)
        {
            Console.Error.WriteLine($"gmn: error: {CliDevice.ValidationMessages} Vulkan validation message(s), printed above as 'vulkan:' lines");
            return code == 0 ? ValidationFailedExitCode : code;
        }
        return code;
    }

    /// <summary>Exit code of a command that otherwise succeeded but raised validation messages.</summary>
    public const int ValidationFailedExitCode = 3;

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
