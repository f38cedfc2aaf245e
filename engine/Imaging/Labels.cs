using System.Text;
using GpuMobileNet.IO;

namespace GpuMobileNet.Imaging;

/// <summary>Class-label files: one label per line, line i naming output i.
/// Thread-safety: thread-safe; each call reads its own file.</summary>
public static class Labels
{
    /// <summary>The largest labels file read (ImageNet-21k's 21,843 names take about 0.5 MB).</summary>
    public const long MaxFileBytes = 16L * 1024 * 1024;

    /// <summary>Reads the labels; trailing whitespace (e.g. a CR) is trimmed and empty lines at the
    /// end are ignored, so files saved on any OS give the same list.</summary>
    /// <exception cref="InputFileException">The file is missing, not a regular file, or larger than <see cref="MaxFileBytes"/>.</exception>
    public static IReadOnlyList<string> LoadLabels(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = SafeFile.ReadAllBytes(path, MaxFileBytes, "labels file", m => new InputFileException(m));
        using var reader = new StringReader(new UTF8Encoding(false).GetString(bytes).TrimStart('\uFEFF'));
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line.TrimEnd());
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }
}
