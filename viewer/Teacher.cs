using System.Diagnostics;
using GpuMobileNet.Teach;

namespace GpuMobileNet.Viewer;

/// <summary>One client's teaching state: the backbone the samples come from, named classes with captured feature
/// vectors, the class being captured and how many frames are left to capture, and the head trained from them. Bounded
/// by <see cref="ViewerOptions.MaxClasses"/> x <see cref="ViewerOptions.MaxSamplesPerClass"/>.</summary>
public sealed class Teacher(ViewerOptions options)
{
    private readonly object _lock = new();
    private readonly List<(string Label, List<float[]> Samples)> _classes = [];
    private string? _capturing;
    private int _captureLeft;

    public TaughtHead? Head { get; private set; }

    /// <summary>The backbone (catalog name) whose features the samples are; null before any.</summary>
    public string? Model { get { lock (_lock) return _model; } }
    private string? _model;

    /// <summary>Samples and head belong to one backbone: switching to another drops them.</summary>
    public void UseModel(string model)
    {
        lock (_lock)
        {
            if (_model == model) return;
            if (_model is not null) Clear();
            _model = model;
        }
    }

    public string? Capturing { get { lock (_lock) return _capturing; } }

    public Dictionary<string, int> Counts()
    {
        lock (_lock) return _classes.ToDictionary(c => c.Label, c => c.Samples.Count);
    }

    /// <summary>The next <paramref name="frames"/> processed frames' features go to <paramref name="label"/>.</summary>
    public void StartCapture(string label, int frames)
    {
        label = CheckName(label);
        if (frames is < 1 or > 1000) throw new ArgumentException($"capture {frames} frames: must be 1 to 1000");
        lock (_lock)
        {
            SamplesOf(label);
            _capturing = label;
            _captureLeft = frames;
        }
    }

    /// <summary>Adds uploaded images' features to <paramref name="label"/> (made if new), up to the per-class limit;
    /// returns the class's sample count.</summary>
    public int AddSamples(string label, IEnumerable<float[]> features)
    {
        label = CheckName(label);
        lock (_lock)
        {
            var samples = SamplesOf(label);
            foreach (var f in features)
                if (samples.Count < options.MaxSamplesPerClass) samples.Add(f);
            return samples.Count;
        }
    }

    /// <summary>Renames class <paramref name="from"/> to <paramref name="to"/> (samples, capture and head follow);
    /// refused when <paramref name="to"/> is another existing class.</summary>
    public void Rename(string from, string to)
    {
        to = CheckName(to);
        lock (_lock)
        {
            int i = _classes.FindIndex(c => c.Label == from);
            if (i < 0) throw new ArgumentException($"no class '{from}' to rename");
            if (to == from) return;
            if (_classes.Any(c => c.Label == to)) throw new ArgumentException($"a class '{to}' already exists: rename '{from}' to another name, or delete one");
            _classes[i] = (to, _classes[i].Samples);
            if (_capturing == from) _capturing = to;
            if (Head is { } head) Head = head.WithClasses(head.Classes.Select(c => c == from ? to : c).ToArray());
        }
    }

    private static string CheckName(string label)
    {
        label = label.Trim();
        if (label.Length is 0 or > 40) throw new ArgumentException("class name must have 1 to 40 characters");
        return label;
    }

    // Call with _lock held.
    private List<float[]> SamplesOf(string label)
    {
        var existing = _classes.FirstOrDefault(c => c.Label == label);
        if (existing.Samples is not null) return existing.Samples;
        if (_classes.Count >= options.MaxClasses) throw new ArgumentException($"at most {options.MaxClasses} classes");
        _classes.Add((label, []));
        return _classes[^1].Samples;
    }

    public void Offer(float[] features)
    {
        lock (_lock)
        {
            if (_capturing is null) return;
            var samples = _classes.First(c => c.Label == _capturing).Samples;
            if (samples.Count < options.MaxSamplesPerClass) samples.Add(features);
            if (--_captureLeft <= 0) _capturing = null;
        }
    }

    /// <summary>Ends the capture now (the page's hold-to-record button was released).</summary>
    public void StopCapture()
    {
        lock (_lock) _capturing = null;
    }

    public void Remove(string label)
    {
        lock (_lock)
        {
            _classes.RemoveAll(c => c.Label == label);
            if (_capturing == label) _capturing = null;
            Head = null;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _classes.Clear();
            _capturing = null;
            Head = null;
        }
    }

    public void UseHead(TaughtHead? head)
    {
        lock (_lock) Head = head;
    }

    /// <summary>Trains the better of the two head kinds, or <paramref name="kind"/> (see <see cref="HeadTrainer.TrainBest"/>), on what was captured.</summary>
    public (TrainingResult Result, double Milliseconds) Train(string? kind = null)
    {
        string model;
        List<string> labels;
        List<(float[], int)> samples;
        lock (_lock)
        {
            var used = _classes.Where(c => c.Samples.Count > 0).ToList();
            if (used.Count < 2) throw new ArgumentException("capture frames for at least two classes before training");
            model = _model!;
            labels = used.Select(c => c.Label).ToList();
            samples = used.SelectMany((c, k) => c.Samples.Select(s => (s, k))).ToList();
        }
        var clock = Stopwatch.StartNew();
        var result = HeadTrainer.TrainBest(model, labels, samples, kind);
        double ms = clock.Elapsed.TotalMilliseconds;
        UseHead(result.Head);
        return (result, ms);
    }
}
