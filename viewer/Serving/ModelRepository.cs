using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using GpuMobileNet.Import;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Viewer.Serving;

/// <summary>A model's state in the repository, as the model repository extension names them.</summary>
public enum ModelState { Unavailable, Loading, Ready, Unloading }

/// <summary>One row of the repository index: a model, its state and why it is not ready (empty when it is).</summary>
public sealed record ModelIndexEntry(string Name, string Version, ModelState State, string Reason);

/// <summary>The protocol-neutral serving core: every model the catalog offers (built-ins, the nsfwjs MobileNetV2, each
/// file of the models folder in any format the engine reads), loaded and unloaded on request or on first inference,
/// each with its own <see cref="DynamicBatcher"/> and <see cref="ModelMetrics"/>. Metadata needs only the imported
/// graph, never the device load, and health never waits for either. REST (<see cref="KServeApi"/>) and gRPC are thin
/// layers over <see cref="InferAsync"/>, <see cref="MetadataAsync"/>, <see cref="LoadAsync"/>, <see cref="UnloadAsync"/>,
/// <see cref="Index"/>, <see cref="StateOf"/>, <see cref="Statistics"/> and <see cref="PrometheusMetrics"/>; failures
/// are <see cref="ServingException"/>s. Thread-safe.</summary>
public sealed class ModelRepository : IDisposable
{
    private readonly ModelCatalog _catalog;
    private readonly VulkanDevice _device;
    private readonly string _dataDir;
    private readonly string? _modelsDir;
    private readonly object _lock = new();
    private readonly Dictionary<string, Entry> _entries = [];
    private readonly ConcurrentDictionary<string, Lazy<Task<ModelSpec>>> _specs = new();
    private readonly ConcurrentDictionary<string, ModelMetrics> _metrics = new();
    private readonly HashSet<string> _required = [];
    private bool _disposed;

    /// <param name="dataDir">The data folder, where the SSD detector's files are (<see cref="DetectorModel"/>).</param>
    /// <param name="modelsDir">The models folder, where taught heads' JSON files are (<see cref="TaughtHeadModel"/>).</param>
    public ModelRepository(ModelCatalog catalog, VulkanDevice device, ServingOptions defaults, string dataDir, string? modelsDir)
    {
        _catalog = catalog;
        _dataDir = dataDir;
        _modelsDir = modelsDir;
        _device = device;
        Defaults = defaults.Validated();
    }

    /// <summary>How models are served unless a load request's config says otherwise.</summary>
    public ServingOptions Defaults { get; }

    /// <summary>Every model name on offer: the catalog's, the taught heads in the models folder, and the SSD detector
    /// once its files are fetched.</summary>
    public IReadOnlyList<string> Names() =>
        [.. _catalog.Names(), .. TaughtHeadModel.Names(_modelsDir), .. DetectorModel.IsAvailable(_dataDir) ? [DetectorModel.Name] : Array.Empty<string>()];

    /// <summary>True when every model the server was started with (<see cref="Require"/>) is loaded.</summary>
    public bool IsReady
    {
        get { lock (_lock) return !_disposed && _required.All(n => _entries.GetValueOrDefault(n)?.State == ModelState.Ready); }
    }

    /// <summary>Loads <paramref name="name"/> in the background; the server is not ready until it is.</summary>
    public void Require(string name)
    {
        lock (_lock) _required.Add(name);
        _ = LoadAsync(name).ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }

    public ModelState StateOf(string name)
    {
        Check(name, null);
        lock (_lock) return _entries.GetValueOrDefault(name)?.State ?? ModelState.Unavailable;
    }

    /// <summary>The repository index: every model, loaded or not (<paramref name="readyOnly"/>: the loaded ones).</summary>
    public IReadOnlyList<ModelIndexEntry> Index(bool readyOnly = false)
    {
        var names = Names();
        lock (_lock)
            return names.Select(n => _entries.GetValueOrDefault(n) is { } e
                    ? new ModelIndexEntry(n, ModelSpec.Version, e.State, e.Reason)
                    : new ModelIndexEntry(n, ModelSpec.Version, ModelState.Unavailable, ""))
                .Where(e => !readyOnly || e.State == ModelState.Ready).ToList();
    }

    /// <summary>The model's metadata, from its imported graph (imported once, off the request's thread; no device work).</summary>
    public async Task<ModelMetadata> MetadataAsync(string name, string? version = null)
    {
        Check(name, version);
        return (await SpecAsync(name)).Metadata(OptionsOf(name));
    }

    /// <summary>Loads the model onto the device (no-op when loaded, joins a load in progress). <paramref name="configJson"/>
    /// (a Triton-style model config, see <see cref="ServingOptions.WithConfig"/>) reloads it with those settings.</summary>
    public async Task LoadAsync(string name, string? configJson = null)
    {
        Check(name, null);
        var options = configJson is null ? null : Defaults.WithConfig(configJson); // over the server's defaults, not an earlier config
        if (options is not null) await UnloadAsync(name);
        Task load;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var entry = _entries.TryGetValue(name, out var e) ? e : _entries[name] = new Entry(Defaults);
            if (options is not null) entry.Options = options;
            if (entry.State is ModelState.Unavailable or ModelState.Unloading && entry.Loading is not { IsCompleted: false })
            {
                entry.State = ModelState.Loading;
                entry.Loading = Task.Run(() => LoadEntryAsync(name, entry));
            }
            load = entry.Loading ?? Task.CompletedTask;
        }
        await load;
    }

    private async Task LoadEntryAsync(string name, Entry entry)
    {
        if (entry.Stopping is { } stopping) await stopping; // an unload in progress finishes first
        try
        {
            var spec = await SpecAsync(name);
            var model = new ServedModel(spec, _device, entry.Options);
            var batcher = new DynamicBatcher(entry.Options, (instance, items) => RunWhenOpen(model, instance, items), MetricsOf(name));
            lock (_lock) (entry.Model, entry.Batcher, entry.State, entry.Reason) = (model, batcher, ModelState.Ready, "");
        }
        catch (Exception e)
        {
            string reason = e is ServingException ? e.Message : $"failed to load '{name}': {e.Message.ReplaceLineEndings(" ")}";
            lock (_lock) (entry.State, entry.Reason) = (ModelState.Unavailable, reason);
            throw e as ServingException ?? new ServingException(ServingError.BadRequest, reason);
        }
    }

    /// <summary>Held (by tests) to keep every model's runs waiting, so that requests queue up behind them.</summary>
    internal SemaphoreSlim RunGate { get; } = new(1, 1);

    private BatchRun RunWhenOpen(ServedModel model, int instance, IReadOnlyList<BatchInput> items)
    {
        RunGate.Wait();
        RunGate.Release();
        return model.Run(instance, items);
    }

    /// <summary>Unloads the model: new requests are refused (503) while the queued ones finish, then its sessions are
    /// freed. A later inference or load loads it again.</summary>
    public async Task UnloadAsync(string name)
    {
        Check(name, null);
        Entry? entry;
        lock (_lock) entry = _entries.GetValueOrDefault(name);
        if (entry?.Loading is { } loading) await loading.ContinueWith(_ => { }); // a failed load leaves nothing to unload
        Task? stop = null;
        lock (_lock)
        {
            if (entry is { State: ModelState.Ready, Batcher: { } batcher, Model: { } model })
            {
                entry.State = ModelState.Unloading;
                entry.Stopping = stop = StopAsync(entry, batcher, model);
            }
            else if (entry?.Stopping is { } inProgress) stop = inProgress;
        }
        if (stop is not null) await stop;
    }

    private async Task StopAsync(Entry entry, DynamicBatcher batcher, ServedModel model)
    {
        await batcher.StopAsync();
        model.Dispose();
        lock (_lock) (entry.Model, entry.Batcher, entry.State, entry.Reason, entry.Stopping) = (null, null, ModelState.Unavailable, "unloaded", null);
    }

    /// <summary>Runs <paramref name="request"/>: its inputs checked against the model, the model loaded if it is not,
    /// then queued for its batcher; the answer or a <see cref="ServingException"/> within the request's timeout.</summary>
    public async Task<InferenceResponse> InferAsync(InferenceRequest request, CancellationToken cancel = default)
    {
        long start = Stopwatch.GetTimestamp();
        Check(request.Model, request.Version);
        var metrics = MetricsOf(request.Model);
        try
        {
            var spec = await SpecAsync(request.Model);
            var options = OptionsOf(request.Model);
            spec.CheckOutputs(request.Outputs);
            long phase = Stopwatch.GetTimestamp();
            var input = spec.Decode(request, options.MaxBatchSize);
            metrics.RecordPhase(ServingPhase.Decode, Stopwatch.GetElapsedTime(phase));
            var batcher = await BatcherAsync(request.Model);
            var outputs = await batcher.SubmitAsync(input, request.Timeout ?? options.RequestTimeout, cancel);
            phase = Stopwatch.GetTimestamp();
            var response = new InferenceResponse(request.Model, ModelSpec.Version, request.Id, spec.Encode(request.Outputs, outputs, input.Samples));
            metrics.RecordPhase(ServingPhase.Encode, Stopwatch.GetElapsedTime(phase));
            metrics.RecordSuccess(input.Samples, Stopwatch.GetElapsedTime(start));
            return response;
        }
        catch (ServingException e)
        {
            metrics.RecordFailure(e.Kind, Stopwatch.GetElapsedTime(start));
            throw;
        }
    }

    /// <summary>Refuses (and counts) a request to a loaded model whose queue is full now: REST checks this before it
    /// reads a body, so that a full queue does not also hold a body of up to the upload limit per waiting client.</summary>
    public void CheckQueue(string name)
    {
        DynamicBatcher? batcher;
        lock (_lock) batcher = _entries.GetValueOrDefault(name)?.Batcher;
        if (batcher is not { IsFull: true }) return;
        var error = batcher.QueueFull();
        MetricsOf(name).RecordFailure(error.Kind, TimeSpan.Zero);
        throw error;
    }

    private async Task<DynamicBatcher> BatcherAsync(string name)
    {
        while (true)
        {
            lock (_lock)
            {
                var entry = _entries.GetValueOrDefault(name);
                if (entry is { State: ModelState.Ready, Batcher: { } batcher }) return batcher;
                if (entry?.State == ModelState.Unloading) throw new ServingException(ServingError.Unavailable, $"model '{name}' is unloading");
            }
            await LoadAsync(name);
        }
    }

    /// <summary>The statistics extension's response: every model that has metrics, or just <paramref name="name"/>.</summary>
    public JsonObject Statistics(string? name = null, string? version = null)
    {
        if (name is not null) Check(name, version);
        IEnumerable<ModelMetrics> models = name is null ? _metrics.Values.OrderBy(m => m.Model, StringComparer.Ordinal) : [MetricsOf(name)];
        return new JsonObject { ["model_stats"] = new JsonArray(models.Select(m => (JsonNode)m.ToStatistics(ModelSpec.Version)).ToArray()) };
    }

    /// <summary>Every model's metrics in Prometheus's text format, and the server's device and host memory in use.</summary>
    public string PrometheusMetrics()
    {
        var text = new PrometheusText();
        foreach (var m in _metrics.Values.OrderBy(m => m.Model, StringComparer.Ordinal))
            m.WritePrometheus(text, PrometheusText.Labels(m.Model, ModelSpec.Version));
        lock (_lock)
            foreach (var (name, entry) in _entries.OrderBy(e => e.Key, StringComparer.Ordinal))
                if (entry.Batcher is { } b) text.Sample("gmn_inference_queue_length", PrometheusText.Labels(name, ModelSpec.Version), b.QueueLength);
        text.Sample("gmn_device_memory_bytes", _device.AllocatedBytes);
        text.Sample("gmn_process_resident_memory_bytes", Environment.WorkingSet);
        return text.ToString();
    }

    /// <summary>Counts <paramref name="elapsed"/> in <paramref name="phase"/> for <paramref name="model"/> (the transports'
    /// own phases: receive, parse, serialise).</summary>
    public void RecordPhase(string model, ServingPhase phase, TimeSpan elapsed) => MetricsOf(model).RecordPhase(phase, elapsed);

    private ModelMetrics MetricsOf(string name) => _metrics.GetOrAdd(name, n => new ModelMetrics(n));

    private ServingOptions OptionsOf(string name)
    {
        lock (_lock) return _entries.GetValueOrDefault(name)?.Options ?? Defaults;
    }

    private Task<ModelSpec> SpecAsync(string name)
    {
        var lazy = _specs.GetOrAdd(name, n => new Lazy<Task<ModelSpec>>(() => Task.Run(() => Import(n))));
        if (lazy.Value.IsFaulted) _specs.TryRemove(name, out _); // a fixed file can be tried again
        return lazy.Value;
    }

    private ModelSpec Import(string name)
    {
        try
        {
            if (name == DetectorModel.Name) return DetectorModel.Import(_dataDir);
            if (TaughtHeadModel.IsHead(name, _modelsDir)) return TaughtHeadModel.Import(name, _modelsDir!, _catalog.Names(), n => _catalog.Import(n).Graph);
            if (_catalog.UserPath(name) is { } path && _catalog.Names().Contains(name) && NcnnDetectorModel.TryImport(name, path) is { } detector) return detector;
            var (graph, labels) = _catalog.Import(name);
            return new ModelSpec(name, graph, labels);
        }
        catch (Exception e) when (e is ModelLoadException or IOException or NotSupportedException or ArgumentException or InvalidDataException or KeyNotFoundException)
        {
            throw new ServingException(ServingError.BadRequest, $"model '{name}' cannot be read: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>Unknown models and versions other than "1" are <see cref="ServingError.NotFound"/>.</summary>
    public void Check(string name, string? version = null)
    {
        bool known;
        lock (_lock) known = _entries.ContainsKey(name);
        if (!known && !Names().Contains(name)) throw new ServingException(ServingError.NotFound, $"unknown model '{name}'");
        if (version is not null && version != ModelSpec.Version)
            throw new ServingException(ServingError.NotFound, $"model '{name}' has no version '{version}' (only '{ModelSpec.Version}')");
    }

    /// <summary>Unloads every model (queued requests finish first).</summary>
    public void Dispose()
    {
        List<string> names;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            names = [.. _entries.Keys];
        }
        foreach (var name in names) UnloadAsync(name).ContinueWith(_ => { }).Wait();
        RunGate.Dispose();
    }

    /// <summary>One model's serving state; fields change under the repository's lock.</summary>
    private sealed class Entry(ServingOptions options)
    {
        public ServingOptions Options { get; set; } = options;
        public ModelState State { get; set; }
        public string Reason { get; set; } = "";
        public Task? Loading { get; set; }
        public Task? Stopping { get; set; }
        public ServedModel? Model { get; set; }
        public DynamicBatcher? Batcher { get; set; }
    }
}
