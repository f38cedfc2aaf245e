namespace GpuMobileNet.Cli;

/// <summary>Turns any failure into one line on stderr and a non-zero exit: users see what is wrong with
/// which file, not a stack trace (set GMN_DEBUG=1 for the trace).</summary>
internal static class CliErrors
{
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
            code = 1;
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
