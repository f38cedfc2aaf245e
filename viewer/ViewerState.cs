namespace GpuMobileNet.Viewer;

/// <summary>What every request shares: the options, the model catalog (the page's sessions, one per loaded model), the
/// serving repository (the inference API's models, batchers and metrics) and the count of connected WebSocket clients.</summary>
public sealed class ViewerState(ViewerOptions options, ModelCatalog catalog, Serving.ModelRepository repository, Action<string> log)
{
    private int _clients;

    public ViewerOptions Options { get; } = options;
    public ModelCatalog Catalog { get; } = catalog;
    public Serving.ModelRepository Repository { get; } = repository;
    public int Clients => Volatile.Read(ref _clients);

    public void Log(string message) => log(message);

    /// <summary>Where POST /api/bench goes (set by --bench; the endpoint is 404 otherwise).</summary>
    public Action<System.Text.Json.Nodes.JsonObject>? BenchReport { get; set; }

    /// <summary>Told of every detection POST /api/detect answers (set by --bench's detect entry; null otherwise).</summary>
    internal Action<DetectReply>? DetectReplied { get; set; }

    /// <summary>Takes a client slot; false when <see cref="ViewerOptions.MaxClients"/> are connected.</summary>
    public bool TryAddClient()
    {
        if (Interlocked.Increment(ref _clients) <= Options.MaxClients) return true;
        Interlocked.Decrement(ref _clients);
        return false;
    }

    public void RemoveClient() => Interlocked.Decrement(ref _clients);

    private readonly Dictionary<string, Teacher> _teachers = [];

    /// <summary>The teaching state of the page session <paramref name="id"/> (the page's ?session= parameter), kept
    /// across reconnects so classes can be captured from one source, then another. At most
    /// <see cref="ViewerOptions.MaxTeachSessions"/> are kept; beyond that, and without a valid id, a connection gets
    /// its own state, dropped when it closes.</summary>
    public Teacher TeacherFor(string? id) => SharedTeacher(id) ?? new Teacher(Options);

    /// <summary>The kept teaching state of page session <paramref name="id"/> (made if new), or null for an invalid id
    /// or when <see cref="ViewerOptions.MaxTeachSessions"/> are kept: what the HTTP teach endpoints share with /ws.</summary>
    public Teacher? SharedTeacher(string? id)
    {
        if (id is null || id.Length is 0 or > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return null;
        lock (_teachers)
        {
            if (_teachers.TryGetValue(id, out var t)) return t;
            if (_teachers.Count >= Options.MaxTeachSessions) return null;
            return _teachers[id] = new Teacher(Options);
        }
    }
}
