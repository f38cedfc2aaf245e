using System.Runtime.InteropServices;
using GpuMobileNet.Graph;
using GpuMobileNet.Imaging;
using GpuMobileNet.Import;
using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Native;

/// <summary>The C entry points of libgpumobilenet.so (declared in include/gpumobilenet.h). Pointers return NULL and ints
/// return -1 on failure, with gmn_last_error() saying why; nothing throws into C. Every function may be called from any
/// thread; a session serialises its own runs.</summary>
public static unsafe class NativeApi
{
    [UnmanagedCallersOnly(EntryPoint = "gmn_last_error")]
    public static byte* LastError() => (byte*)NativeErrors.LastError;

    [UnmanagedCallersOnly(EntryPoint = "gmn_device_open")]
    public static nint DeviceOpen(byte* selector) => NativeErrors.Guard(() =>
        NativeHandles.New(VulkanDevice.Open(new DeviceOptions { Device = selector == null ? null : NativeErrors.Text(selector, "selector") })), 0);

    [UnmanagedCallersOnly(EntryPoint = "gmn_device_from_host")]
    public static nint DeviceFromHost(nint instance, nint physicalDevice, nint device, uint queueFamily, nint queue) =>
        NativeErrors.Guard(() => NativeHandles.New(VulkanDevice.FromHost(instance, physicalDevice, device, queueFamily, queue)), 0);

    [UnmanagedCallersOnly(EntryPoint = "gmn_device_name")]
    public static byte* DeviceName(nint device) => (byte*)NativeErrors.Guard(() =>
        NameCache.GetOrAdd(device, _ => Marshal.StringToCoTaskMemUTF8(NativeHandles.Get<VulkanDevice>(device, "device").Name)), 0);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<nint, nint> NameCache = new();

    [UnmanagedCallersOnly(EntryPoint = "gmn_device_destroy")]
    public static void DeviceDestroy(nint device) => NativeErrors.Guard(() =>
    {
        if (NameCache.TryRemove(device, out var name)) Marshal.FreeCoTaskMem(name);
        NativeHandles.Free(device);
        return 0;
    }, -1);

    /// <summary>A model file in any format <see cref="ModelImporter"/> reads (ONNX, TFLite, TF.js model.json), told by its content.</summary>
    [UnmanagedCallersOnly(EntryPoint = "gmn_model_load")]
    public static nint ModelLoad(byte* path) => NativeErrors.Guard(() => NativeHandles.New(ModelImporter.Load(NativeErrors.Text(path, "path"))), 0);

    [UnmanagedCallersOnly(EntryPoint = "gmn_model_builtin")]
    public static nint ModelBuiltin(byte* name, double alpha, int resolution, int classes, int seed) => NativeErrors.Guard(() =>
        NativeHandles.New(ModelZoo.Create(NativeErrors.Text(name, "name"), alpha, resolution, classes, WeightInit.Random(seed))), 0);

    [UnmanagedCallersOnly(EntryPoint = "gmn_model_destroy")]
    public static void ModelDestroy(nint model) => NativeErrors.Guard(() => { NativeHandles.Free(model); return 0; }, -1);

    [UnmanagedCallersOnly(EntryPoint = "gmn_session_create")]
    public static nint SessionCreate(nint device, nint model, int batch) => NativeErrors.Guard(() =>
        NativeHandles.New(InferenceSession.Create(NativeHandles.Get<ModelGraph>(model, "model"),
            NativeHandles.Get<VulkanDevice>(device, "device"), new SessionOptions { Batch = batch })), 0);

    /// <summary>Writes the input's channels, height and width (NCHW, per sample); returns the input length (all samples).</summary>
    [UnmanagedCallersOnly(EntryPoint = "gmn_session_input_shape")]
    public static int SessionInputShape(nint session, int* channels, int* height, int* width) => NativeErrors.Guard(() =>
    {
        var s = NativeHandles.Get<InferenceSession>(session, "session");
        if (channels != null) *channels = s.InputShape.C;
        if (height != null) *height = s.InputShape.H;
        if (width != null) *width = s.InputShape.W;
        return s.InputLength;
    }, -1);

    [UnmanagedCallersOnly(EntryPoint = "gmn_session_output_length")]
    public static int SessionOutputLength(nint session) => NativeErrors.Guard(() => NativeHandles.Get<InferenceSession>(session, "session").OutputLength, -1);

    /// <summary>Runs the session: <paramref name="inputLength"/> floats in, <paramref name="outputLength"/> out. Returns 0.</summary>
    [UnmanagedCallersOnly(EntryPoint = "gmn_session_run")]
    public static int SessionRun(nint session, float* input, int inputLength, float* output, int outputLength) => NativeErrors.Guard(() =>
    {
        var s = NativeHandles.Get<InferenceSession>(session, "session");
        if (input == null || output == null) throw new ArgumentNullException(input == null ? "input" : "output", "input or output is NULL");
        s.Run(new ReadOnlySpan<float>(input, inputLength), new Span<float>(output, outputLength));
        return 0;
    }, -1);

    /// <summary>gmn_session_create with the values named in <paramref name="extraOutputs"/> added as outputs.</summary>
    [UnmanagedCallersOnly(EntryPoint = "gmn_session_create_with_outputs")]
    public static nint SessionCreateWithOutputs(nint device, nint model, int batch, byte** extraOutputs, int extraOutputCount) => NativeErrors.Guard(() =>
    {
        var names = Texts(extraOutputs, extraOutputCount, "extra_outputs");
        return NativeHandles.New(InferenceSession.Create(NativeHandles.Get<ModelGraph>(model, "model").WithExtraOutputs(names),
            NativeHandles.Get<VulkanDevice>(device, "device"), new SessionOptions { Batch = batch }));
    }, 0);

    /// <summary>Floats of one run's input or output <paramref name="name"/> (batch x its shape); -1 with an error naming
    /// the session's values when it has none of that name.</summary>
    [UnmanagedCallersOnly(EntryPoint = "gmn_session_value_length")]
    public static int SessionValueLength(nint session, byte* name) => NativeErrors.Guard(() =>
    {
        var s = NativeHandles.Get<InferenceSession>(session, "session");
        var n = NativeErrors.Text(name, "name");
        var value = s.Graph.Inputs.Concat(s.Graph.Outputs).FirstOrDefault(v => v.Name == n)
            ?? throw new ArgumentException($"'{s.Graph.Name}' has no input or output '{n}'; inputs {string.Join(", ", s.InputNames)}, outputs {string.Join(", ", s.OutputNames)}");
        return s.Batch * value.Shape.Elements;
    }, -1);

    /// <summary>Runs with every input by name and the named outputs copied out; outputs not named stay on the device.</summary>
    [UnmanagedCallersOnly(EntryPoint = "gmn_session_run_named")]
    public static int SessionRunNamed(nint session, int inputCount, byte** inputNames, float** inputs, int* inputLengths,
        int outputCount, byte** outputNames, float** outputs, int* outputLengths) => NativeErrors.Guard(() =>
    {
        var s = NativeHandles.Get<InferenceSession>(session, "session");
        var ins = Named(inputCount, inputNames, inputs, inputLengths, "input", s.Graph.Input.Name);
        var outs = Named(outputCount, outputNames, outputs, outputLengths, "output", s.Graph.Output.Name);
        NativeNamedRun.Of(s).Run(ins, outs);
        return 0;
    }, -1);

    private static string[] Texts(byte** texts, int count, string parameter)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(parameter, $"{parameter}: count {count} is negative");
        if (count > 0 && texts == null) throw new ArgumentNullException(parameter, $"{parameter} is NULL");
        return Enumerable.Range(0, count).Select(i => NativeErrors.Text(texts[i], $"{parameter}[{i}]")).ToArray();
    }

    /// <summary>The (name, pointer, length) triples of one side of gmn_session_run_named; a NULL name is
    /// <paramref name="main"/>, a NULL pointer is refused by name.</summary>
    private static (string Name, nint Data, int Length)[] Named(int count, byte** names, float** data, int* lengths, string side, string main)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(side + "_count", $"{side}_count {count} is negative");
        if (count > 0 && names == null) throw new ArgumentNullException(side + "_names", $"{side}_names is NULL");
        var texts = Enumerable.Range(0, count).Select(i => names[i] == null ? main : NativeErrors.Text(names[i], side)).ToArray();
        if (count > 0 && (data == null || lengths == null))
            throw new ArgumentNullException(side + "s", $"{side}s or {side}_lengths is NULL");
        var result = new (string, nint, int)[count];
        for (int i = 0; i < count; i++)
        {
            if (data[i] == null) throw new ArgumentNullException(side + "s", $"{side} '{texts[i]}' is NULL");
            result[i] = (texts[i], (nint)data[i], lengths[i]);
        }
        return result;
    }

    [UnmanagedCallersOnly(EntryPoint = "gmn_session_destroy")]
    public static void SessionDestroy(nint session) => NativeErrors.Guard(() => { NativeHandles.Free(session); return 0; }, -1);

    /// <summary>Decodes a photo, stretches it to width x height and scales to [0, 1] as planar RGB (the nsfwjs model's
    /// preprocessing, as `gmn classify` does). Returns 0, or -1 when the file cannot be read or out is too short.</summary>
    [UnmanagedCallersOnly(EntryPoint = "gmn_image_to_tensor")]
    public static int ImageToTensor(byte* path, int width, int height, float* output, int outputLength) => NativeErrors.Guard(() =>
    {
        var tensor = ImagePreprocessor.ToTensor(ImageLoader.Load(NativeErrors.Text(path, "path")), width, height);
        if (output == null || outputLength < tensor.Length)
            throw new ArgumentException($"out holds {outputLength} floats; the image tensor needs {tensor.Length}");
        tensor.CopyTo(new Span<float>(output, tensor.Length));
        return 0;
    }, -1);
}
