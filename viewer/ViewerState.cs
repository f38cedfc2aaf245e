namespace GpuMobileNet.Viewer;

/// <summary>What every request shares: the options, the model catalog (one session per loaded model) and the count of
/// connected WebSocket clients.</summary>
public sealed class ViewerState(ViewerOptions options, ModelCatalog catalog, Action<string> log)
{
    private int _clients;

    public ViewerOptions Options { get; } = options;
    public ModelCatalog Catalog { get; } = catalog;
    public int Clients => Volatile.Read(ref _clients);

    public void Log(string message) => log(message);

    /// <summary>Takes a client slot; false when <see cref="ViewerOptions.MaxClients"/> are connected.</summary>
    public bool TryAddClient()
    {
        if (Interlocked.Increment(ref _clients) <= Options.MaxClients) return true;
        Interlocked.Decrement(ref _clients);
        return false;
    }

    public void RemoveClient() => Interlocked.Decrement(ref _clients);
}
