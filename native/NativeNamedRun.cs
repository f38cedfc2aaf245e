using System.Buffers;
using System.Runtime.CompilerServices;
using GpuMobileNet.Runtime;

namespace GpuMobileNet.Native;

/// <summary>gmn_session_run_named's state for one session: an IoBinding whose host-float sources and sinks are the C
/// caller's pointers, re-pointed on each call. The same names call after call replay the recorded command buffers with no
/// allocation; a different set of output names records anew. Calls on one session are serialised.</summary>
internal sealed unsafe class NativeNamedRun
{
    private static readonly ConditionalWeakTable<InferenceSession, NativeNamedRun> BySession = new();
    private readonly IoBinding _binding;
    private readonly Dictionary<string, PointerMemory> _memory = [];
    private readonly List<string> _outputNames = [];

    private NativeNamedRun(InferenceSession session) => _binding = session.CreateIoBinding();

    public static NativeNamedRun Of(InferenceSession session) => BySession.GetValue(session, s => new NativeNamedRun(s));

    public void Run(ReadOnlySpan<(string Name, nint Data, int Length)> inputs, ReadOnlySpan<(string Name, nint Data, int Length)> outputs)
    {
        lock (this)
        {
            foreach (var (name, data, length) in inputs)
                _binding.BindInput(name, Point(name, data, length).Memory);
            if (!SameNames(outputs))
            {
                _binding.ClearBoundOutputs();
                _outputNames.Clear();
                foreach (var o in outputs) _outputNames.Add(o.Name);
            }
            foreach (var (name, data, length) in outputs)
                _binding.BindOutput(name, Point("out:" + name, data, length).Memory);
            _binding.Session.Run(_binding);
        }
    }

    private bool SameNames(ReadOnlySpan<(string Name, nint Data, int Length)> outputs)
    {
        if (outputs.Length != _outputNames.Count) return false;
        for (int i = 0; i < outputs.Length; i++)
            if (outputs[i].Name != _outputNames[i]) return false;
        return true;
    }

    /// <summary>The memory of <paramref name="key"/>, pointed at the caller's floats for this call.</summary>
    private PointerMemory Point(string key, nint data, int length)
    {
        if (!_memory.TryGetValue(key, out var memory) || memory.Length != length)
            _memory[key] = memory = new PointerMemory(length);
        memory.Pointer = (float*)data;
        return memory;
    }

    /// <summary>Floats at a C pointer as Memory (valid during the call that set the pointer).</summary>
    private sealed class PointerMemory(int length) : MemoryManager<float>
    {
        public float* Pointer { get; set; }
        public int Length { get; } = length;
        public override Span<float> GetSpan() => new(Pointer, Length);
        public override MemoryHandle Pin(int elementIndex = 0) => new(Pointer + elementIndex);
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }
}
