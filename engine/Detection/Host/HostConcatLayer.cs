using GpuMobileNet.Import;
using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Detection.Host;

/// <summary>ncnn's Concat on the host: joins its inputs along ncnn's axis (param 0, counted in the inputs' rank, negative
/// from the end). The importer places it here when every input is a host layer's output, as SSD's concatenation of its
/// PriorBox outputs (2-D, along w) is.</summary>
internal sealed class HostConcatLayer(NcnnParams p) : HostLayer
{
    private readonly int _axis = p.Int(0, 0);

    public override string Type => "Concat";

    public override HostTensor Run(IReadOnlyList<HostTensor> inputs)
    {
        HostBoxes.RequireInputs(Type, inputs, 1, orMore: true);
        var first = inputs[0];
        int axis = _axis < 0 ? _axis + first.Dims : _axis;
        if (axis < 0 || axis >= first.Dims)
            throw new ModelLoadException($"Concat: axis (param 0) {_axis} is outside a {first.Dims}-D input");
        int at = axis + 3 - first.Dims; // 0: C, 1: H, 2: W
        var sizes = inputs.Select(t => Sizes(t)).ToList();
        for (int i = 0; i < inputs.Count; i++)
            if (inputs[i].Dims != first.Dims || Enumerable.Range(0, 3).Any(d => d != at && sizes[i][d] != sizes[0][d]))
                throw new ModelLoadException($"Concat: input {i} ({Describe(inputs[i])}) does not match input 0 ({Describe(first)}) off axis {_axis}");

        int outer = Enumerable.Range(0, at).Aggregate(1, (n, d) => n * sizes[0][d]);
        int inner = Enumerable.Range(at + 1, 2 - at).Aggregate(1, (n, d) => n * sizes[0][d]);
        var data = new float[inputs.Sum(t => t.Elements)];
        int to = 0;
        for (int o = 0; o < outer; o++)
            foreach (var (t, s) in inputs.Zip(sizes))
            {
                int chunk = s[at] * inner;
                Array.Copy(t.Data, o * chunk, data, to, chunk);
                to += chunk;
            }
        var joined = (int[])sizes[0].Clone();
        joined[at] = sizes.Sum(s => s[at]);
        return new HostTensor(joined[0], joined[1], joined[2], data, first.Dims);
    }

    private static int[] Sizes(HostTensor t) => [t.C, t.H, t.W];

    private static string Describe(HostTensor t) => $"{t.Dims}-D {t.C}x{t.H}x{t.W}";
}
