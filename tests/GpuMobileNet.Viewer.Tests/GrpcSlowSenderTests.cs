using System.Net;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>A gRPC client that stalls mid-message is answered DEADLINE_EXCEEDED once the body timeout passes, while
/// another client (@grpc/grpc-js) is served. The staller is .NET's own HTTP/2 client sending the 5-byte length prefix and
/// part of the message it announces, then nothing: a raw stream, as no gRPC client can be made to stall. Its own server:
/// bodies within 1.5 s (inside Kestrel's own 5 s grace for slow bodies), gRPC on a free port, the validation layer on.</summary>
[NonParallelizable]
public class GrpcSlowSenderTests
{
    [Test]
    public async Task AMessageStalledPastTheBodyTimeoutIsDeadlineExceededWhileTheOthersAreServed()
    {
        using var server = ViewerServer.Start(new ViewerOptions
        {
            RepoRoot = ViewerServer.RepoRoot, ApiOnly = true, Validation = true, GrpcUrls = "http://127.0.0.1:0", BodyTimeout = TimeSpan.FromSeconds(1.5),
        });
        var grpc = new Uri(ViewerApp.GrpcAddresses(server.App).Single());
        Assert.That((string?)NodeGrpcClient.Call(grpc, "ModelInfer", GrpcTests.SmallImage())["code"], Is.EqualTo("OK"), "loads the model first");

        using var http = new HttpClient();
        using var stall = new CancellationTokenSource();
        byte[] part = [0, 0, 0, 3, 0xE8, .. new byte[100]]; // uncompressed, 1000 bytes announced; 100 of them sent
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(grpc, "inference.GRPCInferenceService/ModelInfer"))
        {
            Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact, Content = new StallingContent(part),
        };
        request.Content.Headers.ContentType = new("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        var stalled = http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token);

        var other = NodeGrpcClient.Call(grpc, "ModelInfer", GrpcTests.SmallImage());
        using var response = await stalled.WaitAsync(TimeSpan.FromSeconds(60));
        await response.Content.ReadAsByteArrayAsync();
        var headers = response.Headers.Concat(response.TrailingHeaders).ToDictionary(h => h.Key, h => h.Value.Single());
        Assert.That(headers.GetValueOrDefault("grpc-status"), Is.EqualTo("4"), "DEADLINE_EXCEEDED");
        Assert.That(Uri.UnescapeDataString(headers["grpc-message"]), Is.EqualTo("request message not received within 1500 ms (105 of 1005 bytes came): send it faster"));
        Assert.That((string?)other["code"], Is.EqualTo("OK"), other.ToJsonString());
        Assert.That((string?)NodeGrpcClient.Call(grpc, "ModelInfer", GrpcTests.SmallImage())["code"], Is.EqualTo("OK"), "the server still answers");
        stall.Cancel();
        Assert.That(server.ValidationMessages(), Is.Empty);
    }

    /// <summary>A request body that sends its bytes, then nothing until the request is given up.</summary>
    private sealed class StallingContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, default);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancel)
        {
            await stream.WriteAsync(bytes, cancel);
            await stream.FlushAsync(cancel);
            await Task.Delay(Timeout.Infinite, cancel);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
