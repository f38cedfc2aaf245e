using Google.Protobuf;
using GpuMobileNet.Viewer.Grpc.Protocol;
using Grpc.Core;

namespace GpuMobileNet.Viewer.Grpc;

/// <summary>The KServe v2 <c>GRPCInferenceService</c>: a thin mapping from the protocol's messages onto the same checks and
/// run as the REST API (<see cref="KServeApi.CheckInput"/>, <see cref="KServeApi.RunAsync"/>). One input, FP32
/// [1, 3, H, W] or a UINT8 RGBA image [1, height, width, 4], in raw_input_contents or the typed contents
/// (fp32_contents, uint_contents); the one output comes back the same way the input came (raw or typed). Errors are
/// gRPC statuses: NOT_FOUND (model, version), INVALID_ARGUMENT (the request), UNAVAILABLE (a model that cannot load),
/// RESOURCE_EXHAUSTED (a message over the size limit, from the framework), INTERNAL (no protobuf message: see
/// <see cref="InferenceMethods"/>, which binds these methods), CANCELLED / DEADLINE_EXCEEDED.</summary>
internal sealed class InferenceService(ViewerState state)
{
    public Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = true });

    public Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        CheckModel(request.Name, request.Version);
        return Task.FromResult(new ModelReadyResponse { Ready = state.Catalog.IsLoaded(request.Name) });
    }

    public Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse { Name = KServeApi.ServerName, Version = KServeApi.ServerVersion });

    public async Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var model = await LoadAsync(request.Name, request.Version);
        var response = new ModelMetadataResponse { Name = model.Name, Versions = { KServeApi.Version }, Platform = KServeApi.Platform };
        response.Inputs.Add(new ModelMetadataResponse.Types.TensorMetadata
            { Name = model.Graph.Input.Name, Datatype = "FP32", Shape = { 1, 3, model.Height, model.Width } });
        response.Outputs.Add(new ModelMetadataResponse.Types.TensorMetadata
            { Name = model.Graph.Output.Name, Datatype = "FP32", Shape = { 1, model.Labels.Count } });
        return response;
    }

    public async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var model = await LoadAsync(request.ModelName, request.ModelVersion);
        string outputName = model.Graph.Output.Name;
        foreach (var wanted in request.Outputs)
            if (wanted.Name != outputName)
                throw Invalid($"model '{model.Name}' has no output '{wanted.Name}' (its output is '{outputName}')");
        var input = ReadInput(request, model);
        FrameResult result;
        try { result = await KServeApi.RunAsync(model, input, context.CancellationToken); }
        catch (ArgumentException e) { throw Invalid(e.Message); }
        catch (ObjectDisposedException) { throw new RpcException(new Status(StatusCode.Unavailable, $"model '{model.Name}' was unloaded")); }

        var response = new ModelInferResponse { ModelName = model.Name, ModelVersion = KServeApi.Version, Id = request.Id };
        var output = new ModelInferResponse.Types.InferOutputTensor { Name = outputName, Datatype = "FP32", Shape = { 1, result.Scores.Length } };
        response.Outputs.Add(output);
        if (request.RawInputContents.Count > 0)
            response.RawOutputContents.Add(ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(result.Scores.AsSpan())));
        else
            output.Contents = new InferTensorContents { Fp32Contents = { result.Scores } };
        return response;
    }

    /// <summary>The request's one input, its shape checked as REST checks it, its data from raw_input_contents (bytes,
    /// little-endian) or from the typed contents of its datatype.</summary>
    private static TensorInput ReadInput(ModelInferRequest request, LoadedModel model)
    {
        if (request.Inputs.Count != 1)
            throw Invalid($"model '{model.Name}' takes exactly one input ('{model.Graph.Input.Name}'); the request has {request.Inputs.Count}");
        var tensor = request.Inputs[0];
        long count;
        try { count = KServeApi.CheckInput(model, tensor.Name, tensor.Datatype, [.. tensor.Shape]); }
        catch (ArgumentException e) { throw Invalid(e.Message); }
        bool image = tensor.Datatype == "UINT8";
        int width = image ? (int)tensor.Shape[2] : 0, height = image ? (int)tensor.Shape[1] : 0;
        if (request.RawInputContents.Count > 0)
        {
            if (request.RawInputContents.Count != 1)
                throw Invalid($"raw_input_contents has {request.RawInputContents.Count} entries for 1 input");
            if (tensor.Contents is not null)
                throw Invalid($"input '{tensor.Name}': both raw_input_contents and contents are set; send one");
            var raw = request.RawInputContents[0];
            long bytes = count * (image ? 1 : 4);
            if (raw.Length != bytes)
                throw Invalid($"input '{tensor.Name}': raw_input_contents has {raw.Length} bytes but [{string.Join(", ", tensor.Shape)}] {tensor.Datatype} is {bytes}");
            return image ? new TensorInput(null, raw.ToByteArray(), width, height)
                         : new TensorInput(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw.Span).ToArray(), null, 0, 0);
        }
        var contents = tensor.Contents ?? throw Invalid($"input '{tensor.Name}': no contents and no raw_input_contents");
        int typed = image ? contents.UintContents.Count : contents.Fp32Contents.Count;
        if (typed != count)
            throw Invalid($"input '{tensor.Name}': {(image ? "uint_contents" : "fp32_contents")} has {typed} values but [{string.Join(", ", tensor.Shape)}] needs {count}");
        if (!image) return new TensorInput([.. contents.Fp32Contents], null, 0, 0);
        if (contents.UintContents.Any(v => v > 255)) throw Invalid($"input '{tensor.Name}': UINT8 uint_contents must be 0..255");
        return new TensorInput(null, contents.UintContents.Select(v => (byte)v).ToArray(), width, height);
    }

    private void CheckModel(string name, string version)
    {
        if (!state.Catalog.Names().Contains(name)) throw new RpcException(new Status(StatusCode.NotFound, $"unknown model '{name}'"));
        if (version is not ("" or KServeApi.Version))
            throw new RpcException(new Status(StatusCode.NotFound, $"model '{name}' has no version '{version}' (only '{KServeApi.Version}')"));
    }

    /// <summary>The model, loaded off the request thread; a model that cannot load (a missing or broken file) is UNAVAILABLE.</summary>
    private async Task<LoadedModel> LoadAsync(string name, string version)
    {
        CheckModel(name, version);
        try { return await Task.Run(() => state.Catalog.Get(name)); }
        catch (Exception e) when (e is not KeyNotFoundException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"model '{name}' cannot be loaded: {e.Message.ReplaceLineEndings(" ")}"));
        }
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
