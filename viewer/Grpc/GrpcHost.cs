using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace GpuMobileNet.Viewer.Grpc;

/// <summary>The KServe v2 gRPC API on its own address(es) (--grpc-urls): a second Kestrel server in the viewer's process,
/// HTTP/2 only, so clients reach it over cleartext with prior knowledge as gRPC clients do without TLS (a cleartext
/// endpoint that also took HTTP/1.1 could not). It shares the viewer's state (one session per model) and is started and
/// stopped with the viewer's host, before the device is disposed. Messages above <see cref="ViewerOptions.MaxUploadBytes"/>
/// are refused with RESOURCE_EXHAUSTED before they are read whole; one not all come within
/// <see cref="ViewerOptions.BodyTimeout"/> is answered DEADLINE_EXCEEDED (<see cref="GrpcBodyTimeout"/>).</summary>
internal sealed class GrpcHost(ViewerState state, string urls) : IHostedService
{
    private WebApplication? _app;

    /// <summary>The addresses it listens on, once started.</summary>
    public IReadOnlyList<string> Addresses => _app is null ? [] : ViewerApp.Addresses(_app);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(state);
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = state.Options.MaxUploadBytes;
            o.MaxSendMessageSize = state.Options.MaxUploadBytes;
        });
        builder.Services.AddSingleton<IServiceMethodProvider<InferenceService>, InferenceMethods>();
        _app = builder.Build();
        _app.Use((context, next) => GrpcBodyTimeout.InvokeAsync(context, next, state.Options));
        _app.MapGrpcService<InferenceService>();
        await _app.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is null) return;
        await _app.StopAsync(cancellationToken);
        await _app.DisposeAsync();
        _app = null;
    }
}
