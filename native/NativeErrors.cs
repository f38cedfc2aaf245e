using System.Runtime.InteropServices;

namespace GpuMobileNet.Native;

/// <summary>The C ABI's error channel: every entry point catches everything (an exception must never unwind into C),
/// stores the message as this thread's last error and returns a failure value; gmn_last_error() reads it.</summary>
internal static class NativeErrors
{
    [ThreadStatic] private static nint _lastError;

    public static nint LastError => _lastError;

    public static void Set(Exception e)
    {
        var inner = e is AggregateException { InnerException: { } i } ? i : e;
        Set(inner.Message.ReplaceLineEndings(" ").Trim());
    }

    public static void Set(string message)
    {
        if (_lastError != 0) Marshal.FreeCoTaskMem(_lastError);
        _lastError = Marshal.StringToCoTaskMemUTF8(message);
    }

    /// <summary>Runs <paramref name="body"/>; on any exception records it and returns <paramref name="failure"/>.</summary>
    public static T Guard<T>(Func<T> body, T failure)
    {
        try { return body(); }
        catch (Exception e)
        {
            Set(e);
            return failure;
        }
    }

    /// <summary>A C string argument, or an error naming the parameter when it is null.</summary>
    public static unsafe string Text(byte* text, string parameter) =>
        text == null ? throw new ArgumentNullException(parameter, $"{parameter} is NULL") : Marshal.PtrToStringUTF8((nint)text)!;
}
