using Google.Protobuf;
using GpuMobileNet.Viewer.Grpc.Protocol;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace GpuMobileNet.Viewer.Grpc;

/// <summary>Binds <see cref="InferenceService"/>'s methods to the protocol's paths (inference.GRPCInferenceService/...)
/// with marshallers of our own, so that a request that is no protobuf message is answered INTERNAL with the parse
/// error, as gRPC's status code table says ("error parsing request proto"), instead of Grpc.AspNetCore's bare UNKNOWN
/// (generated stubs parse before any of our code runs). Methods not bound here are answered UNIMPLEMENTED.</summary>
internal sealed class InferenceMethods : IServiceMethodProvider<InferenceService>
{
    private const string Service = "inference.GRPCInferenceService";

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<InferenceService> context)
    {
        Add<ServerLiveRequest, ServerLiveResponse>(context, "ServerLive", (s, r, c) => s.ServerLive(r, c));
        Add<ServerReadyRequest, ServerReadyResponse>(context, "ServerReady", (s, r, c) => s.ServerReady(r, c));
        Add<ModelReadyRequest, ModelReadyResponse>(context, "ModelReady", (s, r, c) => s.ModelReady(r, c));
        Add<ServerMetadataRequest, ServerMetadataResponse>(context, "ServerMetadata", (s, r, c) => s.ServerMetadata(r, c));
        Add<ModelMetadataRequest, ModelMetadataResponse>(context, "ModelMetadata", (s, r, c) => s.ModelMetadata(r, c));
        Add<ModelInferRequest, ModelInferResponse>(context, "ModelInfer", (s, r, c) => s.ModelInfer(r, c));
        Add<RepositoryModelLoadRequest, RepositoryModelLoadResponse>(context, "RepositoryModelLoad", (s, r, c) => s.RepositoryModelLoad(r, c));
        Add<RepositoryModelUnloadRequest, RepositoryModelUnloadResponse>(context, "RepositoryModelUnload", (s, r, c) => s.RepositoryModelUnload(r, c));
    }

    private static void Add<TRequest, TResponse>(ServiceMethodProviderContext<InferenceService> context, string name,
        UnaryServerMethod<InferenceService, TRequest, TResponse> invoker)
        where TRequest : class, IMessage<TRequest>, new() where TResponse : class, IMessage<TResponse>, new() =>
        context.AddUnaryMethod(new Method<TRequest, TResponse>(MethodType.Unary, Service, name, Marshaller<TRequest>(), Marshaller<TResponse>()), [], invoker);

    private static Marshaller<T> Marshaller<T>() where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return Marshallers.Create<T>(
            (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context =>
            {
                try { return parser.ParseFrom(context.PayloadAsReadOnlySequence()); }
                catch (InvalidProtocolBufferException e)
                {
                    throw new RpcException(new Status(StatusCode.Internal, $"the request is not a {typeof(T).Name} protobuf message: {e.Message}"));
                }
            });
    }
}
