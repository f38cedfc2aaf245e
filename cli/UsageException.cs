namespace GpuMobileNet.Cli;

/// <summary>The command line itself is wrong (an option's value out of range, a missing folder given as an option):
/// the command exits with <see cref="CliErrors.UsageExitCode"/>, apart from failures of the work (exit 1).</summary>
internal sealed class UsageException(string message) : ArgumentException(message);
