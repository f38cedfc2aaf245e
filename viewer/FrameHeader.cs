using System.Buffers.Binary;

namespace GpuMobileNet.Viewer;

/// <summary>A binary WebSocket frame: width and height as little-endian uint16, then width x height RGBA8 pixels.</summary>
public static class FrameHeader
{
    public const int Bytes = 4;

    /// <summary>The frame's size, or why the message is not a frame.</summary>
    public static (int Width, int Height, string? Error) Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length < Bytes)
            return (0, 0, $"binary message of {message.Length} bytes is shorter than the 4-byte frame header (uint16 width, uint16 height)");
        int w = BinaryPrimitives.ReadUInt16LittleEndian(message);
        int h = BinaryPrimitives.ReadUInt16LittleEndian(message[2..]);
        if (w == 0 || h == 0)
            return (w, h, $"frame header says {w}x{h}: width and height must be positive");
        long expected = Bytes + (long)w * h * 4;
        if (message.Length != expected)
            return (w, h, $"frame header says {w}x{h} RGBA8 = {expected} bytes with the header, but the message has {message.Length}");
        return (w, h, null);
    }

    public static byte[] Build(int width, int height, ReadOnlySpan<byte> rgba)
    {
        var m = new byte[Bytes + rgba.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(m, (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(2), (ushort)height);
        rgba.CopyTo(m.AsSpan(Bytes));
        return m;
    }
}
