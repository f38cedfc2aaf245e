using System.Numerics;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Viewer.Serving;

/// <summary>A model on the device for serving: <see cref="ServingOptions.Instances"/> independent instances, each with
/// sessions for the power-of-two batch sizes up to the max batch, all made at load (a session made on first use would
/// stall the requests behind it for its creation; a model that cannot run fails its load). A gathered batch of n samples runs as n's binary pieces (5 = 4 + 1): no padding, and
/// at most log2(max batch) + 1 sessions per instance.</summary>
internal sealed class ServedModel : IDisposable
{
    private readonly SessionSet[] _instances;

    public ServedModel(ModelSpec spec, VulkanDevice device, ServingOptions options)
    {
        Spec = spec;
        Options = options;
        _instances = new SessionSet[options.Instances];
        try
        {
            for (int i = 0; i < _instances.Length; i++)
            {
                _instances[i] = new SessionSet(spec, device);
                for (int size = 1; size <= options.MaxBatchSize; size *= 2) _instances[i].For(size);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public ModelSpec Spec { get; }
    public ServingOptions Options { get; }

    /// <summary>Runs <paramref name="items"/> (all frames or all tensors) as one batch on instance
    /// <paramref name="instance"/>; each item gets its own samples' outputs back.</summary>
    public BatchRun Run(int instance, IReadOnlyList<BatchInput> items)
    {
        var set = _instances[instance];
        int total = items.Sum(i => i.Samples);
        var outputs = Spec.Graph.Outputs.Select(v => new float[total * v.Shape.Elements]).ToArray();
        var inputs = items[0].IsFrames ? null
            : Spec.Graph.Inputs.Select((v, i) => items.SelectMany(item => item.Tensors![i]).ToArray()).ToArray();
        var frames = items[0].IsFrames ? items.SelectMany(i => i.Frames!).ToArray() : null;
        double inputMs = 0, inferMs = 0, outputMs = 0;
        for (int offset = 0; offset < total;)
        {
            int size = 1 << BitOperations.Log2((uint)(total - offset));
            var result = set.Run(size, offset, inputs, frames, outputs);
            (inputMs, inferMs, outputMs) = (inputMs + result.WriteMs, inferMs + result.DeviceMs, outputMs + result.ReadMs);
            offset += size;
        }
        var perItem = new List<float[][]>(items.Count);
        int start = 0;
        foreach (var item in items)
        {
            perItem.Add(outputs.Select((o, k) => o.AsSpan(start * Spec.Graph.Outputs[k].Shape.Elements, item.Samples * Spec.Graph.Outputs[k].Shape.Elements).ToArray()).ToArray());
            start += item.Samples;
        }
        return new BatchRun(perItem, inputMs, inferMs, outputMs);
    }

    public void Dispose()
    {
        foreach (var set in _instances) set?.Dispose();
    }

    /// <summary>One instance: a session (with a binding for host floats and one for frames) per power-of-two batch.</summary>
    private sealed class SessionSet(ModelSpec spec, VulkanDevice device) : IDisposable
    {
        private readonly Dictionary<int, (InferenceSession Session, IoBinding Tensors, IoBinding Frames)> _bySize = [];

        public (InferenceSession Session, IoBinding Tensors, IoBinding Frames) For(int size)
        {
            if (_bySize.TryGetValue(size, out var s)) return s;
            var session = InferenceSession.Create(spec.Graph, device, new Runtime.SessionOptions { Batch = size });
            return _bySize[size] = (session, session.CreateIoBinding(), session.CreateIoBinding());
        }

        /// <summary>Runs samples [offset, offset + size) of the batch on the session of batch <paramref name="size"/>.</summary>
        public RunResult Run(int size, int offset, float[][]? inputs, RgbaFrame[]? frames, float[][] outputs)
        {
            var (session, tensorBinding, frameBinding) = For(size);
            var binding = frames is null ? tensorBinding : frameBinding;
            var graph = spec.Graph;
            for (int i = 0; i < graph.Inputs.Count && inputs is not null; i++)
            {
                int n = graph.Inputs[i].Shape.Elements;
                binding.BindInput(graph.Inputs[i].Name, inputs[i].AsMemory(offset * n, size * n));
            }
            for (int s = 0; s < size && frames is not null; s++)
            {
                var f = frames[offset + s];
                binding.BindFrame(graph.Input.Name, s, f.Rgba, f.Width, f.Height, normalisation: spec.Normalisation);
            }
            for (int k = 0; k < graph.Outputs.Count; k++)
            {
                int n = graph.Outputs[k].Shape.Elements;
                binding.BindOutput(graph.Outputs[k].Name, outputs[k].AsMemory(offset * n, size * n));
            }
            return session.Run(binding);
        }

        public void Dispose()
        {
            foreach (var (session, _, _) in _bySize.Values) session.Dispose();
        }
    }
}

/// <summary>What one device run gave: each item's outputs (per graph output, its samples back to back) and the host
/// milliseconds spent writing inputs, waiting for the device and reading outputs (Triton's compute_input,
/// compute_infer and compute_output).</summary>
internal sealed record BatchRun(IReadOnlyList<float[][]> Outputs, double InputMs, double InferMs, double OutputMs);
