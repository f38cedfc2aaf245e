namespace GpuMobileNet.Imaging;

/// <summary>Class-label files: one label per line, line i naming output i.</summary>
public static class Labels
{
    /// <summary>Reads the labels; trailing whitespace (e.g. a CR) is trimmed and empty lines at the
    /// end are ignored, so files saved on any OS give the same list.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IReadOnlyList<string> LoadLabels(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: labels file not found", path);
        var lines = File.ReadAllLines(path).Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }
}
