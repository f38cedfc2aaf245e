using System.Globalization;

namespace GpuMobileNet.IO;

/// <summary>The one way the engine reads an input file: only a regular file (symbolic links followed), never more
/// bytes than its format allows, with errors that name the file. A FIFO, a device such as /dev/zero or a directory
/// is refused before it is opened, so no read hangs or runs unbounded. The <c>error</c> factories let each loader
/// raise its own exception type (<see cref="Import.ModelLoadException"/>, <see cref="Imaging.ImageLoadException"/>, ...).</summary>
internal static class SafeFile
{
    /// <summary>Kind and size of <paramref name="path"/>, following symbolic links.</summary>
    public static (FileKind Kind, long Size) Stat(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (NativeStat.Stat(path) is { } native) return native;
        // No statx (not Linux): .NET tells directories from files, not FIFOs or devices from regular files.
        if (Directory.Exists(path)) return (FileKind.Directory, 0);
        if (!File.Exists(path)) return (FileKind.Missing, 0);
        return (FileKind.Regular, new FileInfo(path).Length);
    }

    /// <summary>Why <paramref name="path"/> cannot be read as a <paramref name="what"/> of at most
    /// <paramref name="maxBytes"/> bytes ("{path}: {what} ..."), or null with its size when it can.</summary>
    public static (string? Problem, long Size) Check(string path, long maxBytes, string what)
    {
        var (kind, size) = Stat(path);
        string? problem = kind switch
        {
            FileKind.Regular when size > maxBytes =>
                $"{path}: {what} is {size.ToString("N0", CultureInfo.InvariantCulture)} bytes, more than the {Bytes(maxBytes)} a {what} may have",
            FileKind.Regular => null,
            FileKind.Missing => $"{path}: {what} not found",
            FileKind.Directory => $"{path}: {what} is a directory, not a file",
            FileKind.Fifo => $"{path}: {what} is a FIFO (named pipe), not a regular file",
            FileKind.CharacterDevice => $"{path}: {what} is a character device, not a regular file",
            FileKind.BlockDevice => $"{path}: {what} is a block device, not a regular file",
            FileKind.Socket => $"{path}: {what} is a socket, not a regular file",
            _ => $"{path}: {what} is not a regular file",
        };
        return (problem, size);
    }

    /// <summary>The size of a regular file of at most <paramref name="maxBytes"/>; anything else throws the
    /// exception <paramref name="error"/> makes from a one-line message.</summary>
    public static long RequireRegular(string path, long maxBytes, string what, Func<string, Exception> error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var (problem, size) = Check(path, maxBytes, what);
        return problem is null ? size : throw error(problem);
    }

    /// <summary>The whole file, which must be a regular file of at most <paramref name="maxBytes"/> bytes.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what, Func<string, Exception> error)
    {
        long size = RequireRegular(path, Math.Min(maxBytes, Array.MaxLength), what, error);
        var bytes = new byte[size];
        ReadExactly(path, bytes, what, error);
        return bytes;
    }

    /// <summary>Fills <paramref name="destination"/> from byte <paramref name="fileOffset"/> of the file (checked with
    /// <see cref="RequireRegular"/> by the caller), failing if the file ends first: it changed since it was checked.</summary>
    public static void ReadExactly(string path, Span<byte> destination, string what, Func<string, Exception> error, long fileOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            long offset = 0;
            while (offset < destination.Length)
            {
                int n = RandomAccess.Read(handle, destination[(int)offset..], fileOffset + offset);
                if (n == 0) throw error($"{path}: {what} ended after {offset} bytes; it changed while being read");
                offset += n;
            }
        }
        catch (IOException e) { throw error($"{path}: cannot read {what}: {e.Message}"); }
        catch (UnauthorizedAccessException e) { throw error($"{path}: cannot read {what}: {e.Message}"); }
    }

    /// <summary>Whether <paramref name="path"/>, with symbolic links resolved, lies inside <paramref name="folder"/>
    /// (also resolved). A path that does not exist is judged by its lexical form.</summary>
    public static bool IsInside(string folder, string path)
    {
        string root = Canonical(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return Canonical(path).StartsWith(root, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>The absolute path with ./.. and (where the C library can tell) every symbolic link resolved.</summary>
    public static string Canonical(string path)
    {
        string full = Path.GetFullPath(path);
        if (NativeStat.RealPath(full) is { } real) return real;
        // Windows, or a path that does not exist yet: follow a final link at least.
        try
        {
            if (File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target) return Path.GetFullPath(target.FullName);
        }
        catch (IOException) { }
        return full;
    }

    /// <summary>A byte count as people read it: "812 bytes", "3.2 MiB".</summary>
    public static string Bytes(long n) => n switch
    {
        < 1024 => n.ToString(CultureInfo.InvariantCulture) + " bytes",
        < 1024 * 1024 => (n / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
        < 1024L * 1024 * 1024 => (n / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
        _ => (n / (1024.0 * 1024 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " GiB",
    };
}
