using System.Runtime.InteropServices;

namespace GpuMobileNet.Native;

/// <summary>Opaque handles given to C: a GCHandle to the managed object, checked for its type on every call, so a wrong
/// or stale pointer is an error message rather than a crash wherever that can be told.</summary>
internal static class NativeHandles
{
    public static nint New(object target) => GCHandle.ToIntPtr(GCHandle.Alloc(target));

    public static T Get<T>(nint handle, string parameter) where T : class
    {
        if (handle == 0) throw new ArgumentNullException(parameter, $"{parameter} is NULL");
        return GCHandle.FromIntPtr(handle).Target as T
            ?? throw new ArgumentException($"{parameter} is not a {typeof(T).Name} handle (already destroyed?)");
    }

    /// <summary>Frees the handle and disposes its object; NULL is a no-op, as free(NULL) is.</summary>
    public static void Free(nint handle)
    {
        if (handle == 0) return;
        var gc = GCHandle.FromIntPtr(handle);
        (gc.Target as IDisposable)?.Dispose();
        gc.Free();
    }
}
