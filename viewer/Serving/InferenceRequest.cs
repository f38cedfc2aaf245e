namespace GpuMobileNet.Viewer.Serving;

/// <summary>An output a request asks for, by name; with <see cref="Classification"/> k above 0 it comes back as the
/// classification extension's top k "score:index[:label]" BYTES strings per sample instead of its values.</summary>
public sealed record RequestedOutput(string Name, int Classification = 0);

/// <summary>One inference request, protocol-neutral. <see cref="Outputs"/> null or empty: every output. <see cref="Timeout"/>
/// null: the server's <see cref="ServingOptions.RequestTimeout"/>.</summary>
public sealed record InferenceRequest(string Model, IReadOnlyList<InferTensor> Inputs)
{
    public string? Version { get; init; }
    public string? Id { get; init; }
    public IReadOnlyList<RequestedOutput>? Outputs { get; init; }
    public TimeSpan? Timeout { get; init; }
}

/// <summary>The answer to an <see cref="InferenceRequest"/>: the outputs asked for, in the order asked (all outputs in
/// the model's order when none were named).</summary>
public sealed record InferenceResponse(string Model, string Version, string? Id, IReadOnlyList<InferTensor> Outputs);

/// <summary>Why a request failed, for the protocol layer to map: REST statuses 400, 404, 503, 429, 503, 500; gRPC
/// INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, INTERNAL.</summary>
public enum ServingError { BadRequest, NotFound, Unavailable, QueueFull, Timeout, Internal }

/// <summary>A failed serving call: <see cref="Kind"/> says which protocol status it is, the message (one line) names the
/// culprit.</summary>
public sealed class ServingException(ServingError kind, string message) : Exception(message)
{
    public ServingError Kind { get; } = kind;
}
