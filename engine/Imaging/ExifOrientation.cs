using System.Buffers.Binary;

namespace GpuMobileNet.Imaging;

/// <summary>A JPEG's EXIF orientation (tag 0x0112 of IFD0, 1-8) and the transform that shows the stored pixels upright,
/// as a phone's photo viewer does. stb_image ignores the tag, so a portrait photo would reach the network on its side.
/// A missing or malformed EXIF block counts as 1 (as stored). Thread-safety: thread-safe (pure functions).</summary>
internal static class ExifOrientation
{
    private const ushort OrientationTag = 0x0112;

    /// <summary>The orientation a JPEG's EXIF block states: 1 (upright as stored) to 8; 1 when there is none or it is malformed.</summary>
    public static int Read(ReadOnlySpan<byte> jpeg)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return 1;
        int pos = 2;
        // Markers up to the first scan: each FFxx with a big-endian length that counts itself.
        while (pos + 4 <= jpeg.Length && jpeg[pos] == 0xFF)
        {
            byte marker = jpeg[pos + 1];
            if (marker is 0xDA or 0xD9) break; // start of scan / end of image: no metadata after this
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > jpeg.Length) return 1;
            var segment = jpeg.Slice(pos + 4, length - 2);
            if (marker == 0xE1 && segment.StartsWith("Exif\0\0"u8)) return FromTiff(segment[6..]);
            pos += 2 + length;
        }
        return 1;
    }

    private static int FromTiff(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8) return 1;
        bool little = tiff[0] == 'I' && tiff[1] == 'I';
        if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return 1;
        uint ifd = little ? BinaryPrimitives.ReadUInt32LittleEndian(tiff[4..]) : BinaryPrimitives.ReadUInt32BigEndian(tiff[4..]);
        if (ifd > tiff.Length - 2) return 1;
        int count = U16(tiff, little, (int)ifd);
        if (ifd + 2 + 12L * count > tiff.Length) return 1; // entries past the block: malformed
        for (int i = 0; i < count; i++)
        {
            int entry = (int)ifd + 2 + 12 * i;
            // Type 3 (SHORT), one value: it sits in the first two bytes of the value field.
            if (U16(tiff, little, entry) == OrientationTag)
                return U16(tiff, little, entry + 2) == 3 && U16(tiff, little, entry + 8) is >= 1 and <= 8 and var o ? o : 1;
        }
        return 1;
    }

    private static ushort U16(ReadOnlySpan<byte> tiff, bool little, int at) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(tiff[at..]) : BinaryPrimitives.ReadUInt16BigEndian(tiff[at..]);

    /// <summary><paramref name="image"/> shown upright for <paramref name="orientation"/> (the image itself for 1):
    /// 2 mirrored, 3 turned 180°, 4 flipped, 5 transposed, 6 turned 90° clockwise, 7 transversed, 8 turned 90° anticlockwise.</summary>
    public static RgbImage Apply(RgbImage image, int orientation)
    {
        if (orientation is < 2 or > 8) return image;
        int w = image.Width, h = image.Height;
        bool swap = orientation >= 5;
        int outW = swap ? h : w, outH = swap ? w : h;
        var src = image.Pixels;
        var dst = new byte[src.Length];
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++)
            {
                var (sx, sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x), // 8
                };
                src.AsSpan(3 * (sy * w + sx), 3).CopyTo(dst.AsSpan(3 * (y * outW + x)));
            }
        return new RgbImage(outW, outH, dst);
    }
}
