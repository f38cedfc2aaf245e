namespace GpuMobileNet.Imaging;

/// <summary>Cheap structural checks that a PNG or JPEG file is complete, because the decoder does
/// not reliably report a file cut short. Other formats are left to the decoder.</summary>
internal static class TruncationCheck
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Why the file looks truncated, or null when it looks complete or is another format.</summary>
    public static string? Problem(byte[] b)
    {
        if (b.AsSpan().StartsWith(PngSignature)) return PngProblem(b);
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return JpegProblem(b);
        return null;
    }

    // A PNG is a chain of chunks (4-byte length, 4-byte type, data, 4-byte CRC) that must reach IEND.
    private static string? PngProblem(byte[] b)
    {
        long pos = PngSignature.Length;
        while (pos + 8 <= b.Length)
        {
            long length = (uint)(b[pos] << 24 | b[pos + 1] << 16 | b[pos + 2] << 8 | b[pos + 3]);
            string type = System.Text.Encoding.ASCII.GetString(b, (int)pos + 4, 4);
            long end = pos + 12 + length;
            if (end > b.Length)
                return $"PNG chunk '{type}' needs {end} bytes, file has {b.Length}";
            if (type == "IEND") return null;
            pos = end;
        }
        return $"PNG ends after {b.Length} bytes without an IEND chunk";
    }

    // A JPEG is a chain of marker segments; the entropy-coded data after each SOS runs until the next
    // marker that is not a stuffed FF 00 or a restart marker. Walking the chain (instead of looking
    // for FF D9 anywhere) is not fooled by the EOI of an EXIF thumbnail inside an APP1 segment.
    private static string? JpegProblem(byte[] b)
    {
        int pos = 2;
        while (true)
        {
            while (pos < b.Length && b[pos] == 0xFF && pos + 1 < b.Length && b[pos + 1] == 0xFF) pos++; // fill bytes
            if (pos + 1 >= b.Length) return $"JPEG ends after {b.Length} bytes without an end-of-image marker";
            if (b[pos] != 0xFF) return $"JPEG marker expected at byte {pos}";
            byte marker = b[pos + 1];
            if (marker == 0xD9) return null; // EOI
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) { pos += 2; continue; } // no length field
            if (pos + 4 > b.Length) return $"JPEG ends inside a marker at byte {pos}";
            int length = b[pos + 2] << 8 | b[pos + 3];
            pos += 2 + length;
            if (pos > b.Length) return $"JPEG segment FF{marker:X2} needs {pos} bytes, file has {b.Length}";
            if (marker != 0xDA) continue; // not SOS
            while (pos + 1 < b.Length && !(b[pos] == 0xFF && b[pos + 1] != 0x00 && b[pos + 1] is < 0xD0 or > 0xD7)) pos++;
        }
    }
}
