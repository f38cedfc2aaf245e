using System.Runtime.InteropServices;
using System.Text;

namespace GpuMobileNet.IO;

/// <summary>The file type and canonical path from the C library, which .NET does not expose: FileInfo reports a
/// FIFO or a character device as an ordinary zero-length file, and opening a FIFO to look blocks. Linux uses statx,
/// whose struct layout is the same on every architecture; elsewhere (or without statx) the caller falls back.</summary>
internal static unsafe partial class NativeStat
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1, StatxSize = 0x200;
    private const int StatxModeOffset = 28, StatxSizeOffset = 40, StatxBufferBytes = 256;
    private const int Enoent = 2, Enotdir = 20;

    private static bool _statxMissing;

    /// <summary>Kind and size of <paramref name="path"/> following links; null when statx is not available here.</summary>
    public static (FileKind Kind, long Size)? Stat(string path)
    {
        if (!OperatingSystem.IsLinux() || _statxMissing) return null;
        byte* buffer = stackalloc byte[StatxBufferBytes];
        new Span<byte>(buffer, StatxBufferBytes).Clear();
        int rc;
        try
        {
            fixed (byte* p = NullTerminated(path))
                rc = statx(AtFdCwd, p, 0, StatxType | StatxSize, buffer);
        }
        catch (EntryPointNotFoundException) { _statxMissing = true; return null; }
        catch (DllNotFoundException) { _statxMissing = true; return null; }
        if (rc != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is Enoent or Enotdir ? (FileKind.Missing, 0) : null;
        }
        int mode = *(ushort*)(buffer + StatxModeOffset) & 0xF000;
        long size = *(long*)(buffer + StatxSizeOffset);
        var kind = mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
        return (kind, size);
    }

    /// <summary>The absolute path with every symbolic link and ./.. resolved (POSIX realpath); null when it cannot be
    /// resolved (a missing component, or not a Unix C library).</summary>
    public static string? RealPath(string path)
    {
        if (OperatingSystem.IsWindows()) return null;
        try
        {
            byte* resolved;
            fixed (byte* p = NullTerminated(path))
                resolved = realpath(p, null);
            if (resolved is null) return null;
            try { return Marshal.PtrToStringUTF8((nint)resolved); }
            finally { free(resolved); }
        }
        catch (EntryPointNotFoundException) { return null; }
        catch (DllNotFoundException) { return null; }
    }

    private static byte[] NullTerminated(string s) => Encoding.UTF8.GetBytes(s + "\0");

    [LibraryImport("libc", SetLastError = true)]
    private static partial int statx(int dirfd, byte* path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    private static partial byte* realpath(byte* path, byte* resolved);

    [LibraryImport("libc")]
    private static partial void free(void* p);
}
