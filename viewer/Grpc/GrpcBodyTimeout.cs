using System.Buffers.Binary;
using System.Globalization;

namespace GpuMobileNet.Viewer.Grpc;

/// <summary>The gRPC server's counterpart of the REST body timeout (<see cref="ViewerOptions.BodyTimeout"/>): every
/// method here is unary, so a call's one message is read here, before the gRPC framework sees it, and a message that has
/// not all come within the timeout is answered DEADLINE_EXCEEDED, saying how much came, while the other calls are
/// served. Without it a client stalling mid-message would hold its stream and buffer until Kestrel's minimum data rate
/// (after 5 s of grace) or for ever if it trickles. The message is held no longer than the framework would hold it: a
/// length prefix over the size limit stops the reading, and the framework answers RESOURCE_EXHAUSTED from the prefix.</summary>
internal static class GrpcBodyTimeout
{
    private const int PrefixBytes = 5; // gRPC's message framing: 1 byte compressed flag, 4 bytes big-endian length

    public static async Task InvokeAsync(HttpContext context, RequestDelegate next, ViewerOptions options)
    {
        var body = new MemoryStream();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(options.BodyTimeout);
        try
        {
            var reader = context.Request.BodyReader;
            while (true)
            {
                var read = await reader.ReadAsync(deadline.Token);
                foreach (var segment in read.Buffer) body.Write(segment.Span);
                reader.AdvanceTo(read.Buffer.End);
                long declared = Declared(body);
                if (read.IsCompleted || declared > options.MaxUploadBytes) break;
                if (body.Capacity < PrefixBytes + declared) body.Capacity = (int)(PrefixBytes + declared); // one array of the message's size
            }
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            long declared = Declared(body);
            string expected = declared >= 0 ? (declared + PrefixBytes).ToString(CultureInfo.InvariantCulture) : "?";
            Refuse(context, $"request message not received within {options.BodyTimeout.TotalMilliseconds:0} ms ({body.Length} of {expected} bytes came): send it faster");
            return;
        }
        body.Position = 0;
        context.Request.Body = body; // Kestrel's body reader follows the replaced stream
        await next(context);
    }

    /// <summary>The first message's length from its prefix; -1 while the prefix has not all come.</summary>
    private static long Declared(MemoryStream body) =>
        body.Length < PrefixBytes ? -1 : BinaryPrimitives.ReadUInt32BigEndian(body.GetBuffer().AsSpan(1, 4));

    /// <summary>A trailers-only response (the status in the headers, no message), as the gRPC framework answers errors.</summary>
    private static void Refuse(HttpContext context, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)global::Grpc.Core.StatusCode.DeadlineExceeded).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message); // the protocol percent-encodes it
    }
}
