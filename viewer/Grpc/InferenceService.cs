using System.Diagnostics;
using Google.Protobuf;
using GpuMobileNet.Viewer.Grpc.Protocol;
using GpuMobileNet.Viewer.Serving;
using Grpc.Core;

namespace GpuMobileNet.Viewer.Grpc;

/// <summary>The KServe v2 <c>GRPCInferenceService</c>: a thin mapping from the protocol's messages onto the same
/// <see cref="ModelRepository"/> as the REST API (same checks, batcher, metrics). Inputs come in raw_input_contents or
/// the typed contents of their datatype (fp32_contents, uint_contents for UINT8); outputs go back the way the inputs
/// came (raw or typed), every output by name or those the request's outputs field names (with the classification
/// parameter). Errors are gRPC statuses: <see cref="ServingError"/> kinds map to INVALID_ARGUMENT, NOT_FOUND,
/// UNAVAILABLE, RESOURCE_EXHAUSTED (queue full; also a message over the size limit, from the framework),
/// DEADLINE_EXCEEDED and INTERNAL; INTERNAL also for no protobuf message (see <see cref="InferenceMethods"/>, which
/// binds these methods); CANCELLED for a call its client cancelled.</summary>
internal sealed class InferenceService(ViewerState state)
{
    private ModelRepository Repository => state.Repository;

    public Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = Repository.IsReady });

    public Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) => Mapped(() =>
    {
        Repository.Check(request.Name, VersionOf(request.Version));
        return Task.FromResult(new ModelReadyResponse { Ready = Repository.StateOf(request.Name) == ModelState.Ready });
    });

    public Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse { Name = KServeApi.ServerName, Version = KServeApi.ServerVersion, Extensions = { "classification", "model_repository" } });

    public Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) => Mapped(async () =>
    {
        var m = await Repository.MetadataAsync(request.Name, VersionOf(request.Version));
        var response = new ModelMetadataResponse { Name = m.Name, Versions = { m.Versions }, Platform = m.Platform };
        response.Inputs.AddRange(m.Inputs.Select(Metadata));
        response.Outputs.AddRange(m.Outputs.Select(Metadata));
        return response;
    });

    public Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context) => Mapped(async () =>
    {
        Repository.Check(request.ModelName, VersionOf(request.ModelVersion));
        long phase = Stopwatch.GetTimestamp();
        var inference = new InferenceRequest(request.ModelName, GrpcTensors.Inputs(request))
        {
            Version = VersionOf(request.ModelVersion), Id = request.Id, Outputs = GrpcTensors.RequestedOutputs(request),
        };
        Repository.RecordPhase(request.ModelName, ServingPhase.Parse, Stopwatch.GetElapsedTime(phase));
        var result = await Repository.InferAsync(inference, context.CancellationToken);
        phase = Stopwatch.GetTimestamp();
        var response = new ModelInferResponse { ModelName = result.Model, ModelVersion = result.Version, Id = request.Id };
        bool raw = request.RawInputContents.Count > 0;
        foreach (var output in result.Outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.Datatype, Shape = { output.Shape } };
            if (raw) response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(output.ToRaw())); // a fresh array, or the tensor's own bytes, unchanged from here on
            else tensor.Contents = GrpcTensors.Contents(output);
            response.Outputs.Add(tensor);
        }
        Repository.RecordPhase(request.ModelName, ServingPhase.Serialise, Stopwatch.GetElapsedTime(phase));
        return response;
    });

    public Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context) => Mapped(async () =>
    {
        CheckRepository(request.RepositoryName);
        await Repository.LoadAsync(request.ModelName);
        return new RepositoryModelLoadResponse();
    });

    public Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context) => Mapped(async () =>
    {
        CheckRepository(request.RepositoryName);
        await Repository.UnloadAsync(request.ModelName);
        return new RepositoryModelUnloadResponse();
    });

    /// <summary>The protocol's empty version means the latest (the only one, "1").</summary>
    private static string? VersionOf(string version) => version.Length == 0 ? null : version;

    /// <summary>The server has one repository, the default (empty name).</summary>
    private static void CheckRepository(string name)
    {
        if (name.Length > 0) throw new ServingException(ServingError.NotFound, $"unknown repository '{name}' (this server has only the default, '')");
    }

    private static ModelMetadataResponse.Types.TensorMetadata Metadata(TensorMetadata t) =>
        new() { Name = t.Name, Datatype = t.Datatype, Shape = { t.Shape } };

    /// <summary>Runs a handler, answering a <see cref="ServingException"/> as the gRPC status of its kind.</summary>
    private static async Task<T> Mapped<T>(Func<Task<T>> handler)
    {
        try
        {
            return await handler();
        }
        catch (ServingException e)
        {
            throw new RpcException(new Status(StatusOf(e.Kind), e.Message));
        }
    }

    public static StatusCode StatusOf(ServingError kind) => kind switch
    {
        ServingError.BadRequest => StatusCode.InvalidArgument,
        ServingError.NotFound => StatusCode.NotFound,
        ServingError.Unavailable => StatusCode.Unavailable,
        ServingError.QueueFull => StatusCode.ResourceExhausted,
        ServingError.Timeout => StatusCode.DeadlineExceeded,
        _ => StatusCode.Internal,
    };
}
