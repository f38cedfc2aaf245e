using System.Runtime.InteropServices;

namespace GpuMobileNet.Bench;

/// <summary>TensorFlow Lite's own CPU interpreter, through its C API (libtensorflowlite_c.so from npm tfjs-tflite-node,
/// fetched by scripts/setup into models/cache/tflite/): the reference our TFLite importer is checked against, and the
/// latency baseline for `gmn bench --model x.tflite` with the same thread count.</summary>
public sealed class TfliteBaseline : IDisposable
{
    private readonly IntPtr _model, _options, _interpreter;
    private readonly GCHandle _modelBytes;
    private bool _disposed;

    /// <param name="library">Path of libtensorflowlite_c.so.</param>
    /// <param name="model">The .tflite bytes (kept pinned for the interpreter's life: TfLiteModelCreate does not copy).</param>
    /// <param name="threads">CPU threads for the interpreter.</param>
    /// <exception cref="InvalidOperationException">The library cannot be loaded, or the model is refused.</exception>
    public TfliteBaseline(string library, byte[] model, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Native.Load(library);
        _modelBytes = GCHandle.Alloc(model, GCHandleType.Pinned);
        _model = Native.TfLiteModelCreate(_modelBytes.AddrOfPinnedObject(), (nuint)model.Length);
        if (_model == IntPtr.Zero) { _modelBytes.Free(); throw new InvalidOperationException("TfLiteModelCreate refused the model"); }
        _options = Native.TfLiteInterpreterOptionsCreate();
        Native.TfLiteInterpreterOptionsSetNumThreads(_options, threads);
        _interpreter = Native.TfLiteInterpreterCreate(_model, _options);
        if (_interpreter == IntPtr.Zero || Native.TfLiteInterpreterAllocateTensors(_interpreter) != 0)
        {
            Dispose();
            throw new InvalidOperationException("TfLiteInterpreterCreate/AllocateTensors failed");
        }
        Threads = threads;
    }

    /// <summary>The interpreter's thread count.</summary>
    public int Threads { get; }

    /// <summary>The TFLite library's version string.</summary>
    public static string Version(string library)
    {
        Native.Load(library);
        return Marshal.PtrToStringAnsi(Native.TfLiteVersion()) ?? "?";
    }

    /// <summary>Output tensor names, in the model's order.</summary>
    public IReadOnlyList<string> OutputNames => Enumerable.Range(0, Native.TfLiteInterpreterGetOutputTensorCount(_interpreter))
        .Select(i => Marshal.PtrToStringAnsi(Native.TfLiteTensorName(Native.TfLiteInterpreterGetOutputTensor(_interpreter, i))) ?? $"output_{i}")
        .ToList();

    /// <summary>Runs the model on one float input laid out as the model's input tensor (NHWC) and returns every
    /// output by name.</summary>
    public IReadOnlyDictionary<string, float[]> Run(ReadOnlySpan<float> input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Invoke(input);
        var outputs = new Dictionary<string, float[]>();
        int count = Native.TfLiteInterpreterGetOutputTensorCount(_interpreter);
        for (int i = 0; i < count; i++)
        {
            IntPtr t = Native.TfLiteInterpreterGetOutputTensor(_interpreter, i);
            var data = new float[(int)(Native.TfLiteTensorByteSize(t) / sizeof(float))];
            unsafe
            {
                fixed (float* p = data)
                    Check(Native.TfLiteTensorCopyToBuffer(t, (IntPtr)p, (nuint)(data.Length * sizeof(float))), "TfLiteTensorCopyToBuffer");
            }
            outputs[Marshal.PtrToStringAnsi(Native.TfLiteTensorName(t)) ?? $"output_{i}"] = data;
        }
        return outputs;
    }

    /// <summary>Copies the input in and runs the interpreter once (what the latency baseline times).</summary>
    public void Invoke(ReadOnlySpan<float> input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        IntPtr t = Native.TfLiteInterpreterGetInputTensor(_interpreter, 0);
        long bytes = (long)Native.TfLiteTensorByteSize(t);
        if (bytes != (long)input.Length * sizeof(float))
            throw new ArgumentException($"the model's input takes {bytes / sizeof(float)} floats, {input.Length} were given", nameof(input));
        unsafe
        {
            fixed (float* p = input)
                Check(Native.TfLiteTensorCopyFromBuffer(t, (IntPtr)p, (nuint)bytes), "TfLiteTensorCopyFromBuffer");
        }
        Check(Native.TfLiteInterpreterInvoke(_interpreter), "TfLiteInterpreterInvoke");
    }

    /// <summary>Frees the interpreter, options and model, then unpins the model bytes.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_interpreter != IntPtr.Zero) Native.TfLiteInterpreterDelete(_interpreter);
        if (_options != IntPtr.Zero) Native.TfLiteInterpreterOptionsDelete(_options);
        if (_model != IntPtr.Zero) Native.TfLiteModelDelete(_model);
        if (_modelBytes.IsAllocated) _modelBytes.Free();
    }

    private static void Check(int status, string call)
    {
        if (status != 0) throw new InvalidOperationException($"{call} returned status {status}");
    }

    /// <summary>The C API, bound to the library path given first (a resolver maps the logical name to it).</summary>
    private static class Native
    {
        private const string Lib = "tensorflowlite_c";
        private static string? _path;
        private static readonly object Gate = new();

        public static void Load(string path)
        {
            lock (Gate)
            {
                if (_path is not null) return;
                if (!File.Exists(path)) throw new InvalidOperationException($"{path} is missing: run scripts/setup");
                _path = Path.GetFullPath(path);
                NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, (name, _, _) =>
                    name == Lib ? NativeLibrary.Load(_path) : IntPtr.Zero);
            }
        }

        [DllImport(Lib)] public static extern IntPtr TfLiteVersion();
        [DllImport(Lib)] public static extern IntPtr TfLiteModelCreate(IntPtr data, nuint size);
        [DllImport(Lib)] public static extern void TfLiteModelDelete(IntPtr model);
        [DllImport(Lib)] public static extern IntPtr TfLiteInterpreterOptionsCreate();
        [DllImport(Lib)] public static extern void TfLiteInterpreterOptionsDelete(IntPtr options);
        [DllImport(Lib)] public static extern void TfLiteInterpreterOptionsSetNumThreads(IntPtr options, int threads);
        [DllImport(Lib)] public static extern IntPtr TfLiteInterpreterCreate(IntPtr model, IntPtr options);
        [DllImport(Lib)] public static extern void TfLiteInterpreterDelete(IntPtr interpreter);
        [DllImport(Lib)] public static extern int TfLiteInterpreterAllocateTensors(IntPtr interpreter);
        [DllImport(Lib)] public static extern int TfLiteInterpreterInvoke(IntPtr interpreter);
        [DllImport(Lib)] public static extern IntPtr TfLiteInterpreterGetInputTensor(IntPtr interpreter, int index);
        [DllImport(Lib)] public static extern int TfLiteInterpreterGetOutputTensorCount(IntPtr interpreter);
        [DllImport(Lib)] public static extern IntPtr TfLiteInterpreterGetOutputTensor(IntPtr interpreter, int index);
        [DllImport(Lib)] public static extern nuint TfLiteTensorByteSize(IntPtr tensor);
        [DllImport(Lib)] public static extern IntPtr TfLiteTensorName(IntPtr tensor);
        [DllImport(Lib)] public static extern int TfLiteTensorCopyFromBuffer(IntPtr tensor, IntPtr data, nuint size);
        [DllImport(Lib)] public static extern int TfLiteTensorCopyToBuffer(IntPtr tensor, IntPtr data, nuint size);
    }
}
