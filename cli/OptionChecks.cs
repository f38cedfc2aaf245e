namespace GpuMobileNet.Cli;

/// <summary>Range checks of command-line values, made before any work starts, each failing with one line that names
/// the option, its value and what it accepts.</summary>
internal static class OptionChecks
{
    /// <summary>Largest batch a command accepts: beyond it the host copies of inputs alone reach gigabytes. Batches above
    /// what the device holds at once still run, as sub-batches.</summary>
    public const int MaxBatch = 4096;

    public static int InRange(int value, string option, int min, int max) =>
        value >= min && value <= max ? value : throw new UsageException($"{option} must be between {min} and {max}, got {value}");

    public static double InRange(double value, string option, double minExclusive, double max) =>
        double.IsFinite(value) && value > minExclusive && value <= max ? value
            : throw new UsageException($"{option} must be above {minExclusive} and at most {max}, got {value}");

    public static int Batch(int value, string option = "--batch") => InRange(value, option, 1, MaxBatch);

    /// <summary>An output file's folder must exist before a long command starts, not fail at its end.</summary>
    public static string WritableFile(string path, string option)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
            throw new UsageException($"{option} '{path}': folder '{folder}' does not exist");
        if (Directory.Exists(full))
            throw new UsageException($"{option} '{path}' is a folder, not a file");
        return path;
    }
}
