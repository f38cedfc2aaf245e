using System.Diagnostics;
using GpuMobileNet.Teach;

namespace GpuMobileNet.Viewer;

/// <summary>One client's teaching state: named classes with captured feature vectors, the class being captured and
/// how many frames are left to capture, and the head trained from them. Bounded by
/// <see cref="ViewerOptions.MaxClasses"/> x <see cref="ViewerOptions.MaxSamplesPerClass"/>.</summary>
public sealed class Teacher(ViewerOptions options)
{
    private readonly object _lock = new();
    private readonly List<(string Label, List<float[]> Samples)> _classes = [];
    private string? _capturing;
    private int _captureLeft;

    public TaughtHead? Head { get; private set; }

    public string? Capturing { get { lock (_lock) return _capturing; } }

    public Dictionary<string, int> Counts()
    {
        lock (_lock) return _classes.ToDictionary(c => c.Label, c => c.Samples.Count);
    }

    /// <summary>The next <paramref name="frames"/> processed frames' features go to <paramref name="label"/>.</summary>
    public void StartCapture(string label, int frames)
    {
        label = label.Trim();
        if (label.Length is 0 or > 40) throw new ArgumentException("class name must have 1 to 40 characters");
        if (frames is < 1 or > 1000) throw new ArgumentException($"capture {frames} frames: must be 1 to 1000");
        lock (_lock)
        {
            if (!_classes.Any(c => c.Label == label))
            {
                if (_classes.Count >= options.MaxClasses) throw new ArgumentException($"at most {options.MaxClasses} classes");
                _classes.Add((label, []));
            }
            _capturing = label;
            _captureLeft = frames;
        }
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

    /// <summary>Renames a class, keeping its samples; a name already taken is refused, so no two classes share one.
    /// The head is dropped: its class names are the old ones (train again).</summary>
    public void Rename(string from, string to)
    {
        to = to.Trim();
        if (to.Length is 0 or > 40) throw new ArgumentException("class name must have 1 to 40 characters");
        lock (_lock)
        {
            int i = _classes.FindIndex(c => c.Label == from);
            if (i < 0) throw new ArgumentException($"no class '{from}' to rename");
            if (to == from) return;
            if (_classes.Any(c => c.Label == to)) throw new ArgumentException($"a class named '{to}' already exists");
            _classes[i] = (to, _classes[i].Samples);
            if (_capturing == from) _capturing = to;
            Head = null;
        }
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

    /// <summary>Trains the better of the two head kinds (see <see cref="HeadTrainer.TrainBest"/>) on what was captured.</summary>
    public (TaughtHead Head, IReadOnlyDictionary<string, double> HeldOut, double Milliseconds) Train(string model)
    {
        List<string> labels;
        List<(float[], int)> samples;
        lock (_lock)
        {
            var used = _classes.Where(c => c.Samples.Count > 0).ToList();
            if (used.Count < 2) throw new ArgumentException("capture frames for at least two classes before training");
            labels = used.Select(c => c.Label).ToList();
            samples = used.SelectMany((c, k) => c.Samples.Select(s => (s, k))).ToList();
        }
        var clock = Stopwatch.StartNew();
        var (head, heldOut) = HeadTrainer.TrainBest(model, labels, samples);
        double ms = clock.Elapsed.TotalMilliseconds;
        UseHead(head);
        return (head, heldOut, ms);
    }
}
