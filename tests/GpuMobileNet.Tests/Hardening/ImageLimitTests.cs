using System.Buffers.Binary;
using System.IO.Compression;
using GpuMobileNet.Imaging;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Hardening;

/// <summary>Images cost memory in proportion to what they are, not to what their header claims: the pixel cap is
/// checked from the header before decoding, and resizing reads the bytes without a full-resolution float copy.</summary>
public class ImageLimitTests
{
    /// <summary>A valid black RGB PNG of any size: one deflate stream of zero rows, so 16000x16000 is about 750 KB.</summary>
    internal static byte[] BlackPng(int width, int height)
    {
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[1 + 3 * width];
            for (int y = 0; y < height; y++) z.Write(row);
        }
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", idat.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var head = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, head.AsSpan(4));
        s.Write(head);
        s.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32([.. head[4..], .. data]));
        s.Write(crc);
    }

    // PNG's CRC-32 (polynomial 0xEDB88320), bit by bit: a few MB in a test, no package needed.
    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    [Test]
    public void A16000x16000PngFailsFromItsHeaderWithLittleMemory()
    {
        using var dir = new TempDir();
        var bytes = BlackPng(16000, 16000);
        Assert.That(bytes.Length, Is.LessThan(1_000_000), "a small file");
        File.WriteAllBytes(dir.File("huge.png"), bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(dir.File("huge.png")))!;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(e.Message, Does.Contain("huge.png").And.Contain("16000x16000").And.Contain("100 megapixels"));
        Assert.That(allocated, Is.LessThan(8L << 20), "the file and its header only (it used to take 4 GB)");
    }

    [Test]
    public void AnImageJustUnderTheCapStillDecodes()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("wide.png"), BlackPng(20000, 50)); // 1 MP, an odd aspect ratio
        var img = ImageLoader.Load(dir.File("wide.png"));
        Assert.That((img.Width, img.Height), Is.EqualTo((20000, 50)));
    }

    [Test]
    public void ResizingAllocatesTheOutputOnly()
    {
        var rng = new Random(3);
        var pixels = new byte[3000 * 2000 * 3];
        rng.NextBytes(pixels);
        var img = new RgbImage(3000, 2000, pixels);
        ImagePreprocessor.ToTensor(img, 8, 8); // JIT outside the count
        long before = GC.GetAllocatedBytesForCurrentThread();
        var tensor = ImagePreprocessor.ToTensor(img, 224, 224);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.LessThan(tensor.Length * 4 + 64 * 1024), "a float copy of the photo would be 72 MB");
    }

    [TestCase(7, 5, 224, 224)]
    [TestCase(300, 200, 31, 17)]
    [TestCase(1, 1, 4, 3)]
    [TestCase(9, 4, 1, 1)]
    public void ResizingGivesExactlyWhatTheFloatCopyGave(int inW, int inH, int outW, int outH)
    {
        // The old algorithm, kept here as the oracle: normalise into float planes, then interpolate.
        var rng = new Random(inW * 31 + inH);
        var pixels = new byte[inW * inH * 3];
        rng.NextBytes(pixels);
        var img = new RgbImage(inW, inH, pixels);
        float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
        var planes = new float[3 * inW * inH];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < inW * inH; i++)
                planes[c * inW * inH + i] = (pixels[3 * i + c] * (1 / 255f) - mean[c]) / std[c];
        var expected = new float[3 * outW * outH];
        double rowRatio = outH > 1 ? (double)(inH - 1) / (outH - 1) : inH / (double)outH;
        double colRatio = outW > 1 ? (double)(inW - 1) / (outW - 1) : inW / (double)outW;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < outH; y++)
                for (int x = 0; x < outW; x++)
                {
                    double fy = rowRatio * y, fx = colRatio * x;
                    int y0 = Math.Max(0, (int)Math.Floor(fy)), y1 = Math.Min(inH - 1, (int)Math.Ceiling(fy));
                    int x0 = Math.Max(0, (int)Math.Floor(fx)), x1 = Math.Min(inW - 1, (int)Math.Ceiling(fx));
                    double dy = fy - y0, dx = fx - x0;
                    int p = c * inW * inH;
                    double tl = planes[p + y0 * inW + x0], tr = planes[p + y0 * inW + x1];
                    double bl = planes[p + y1 * inW + x0], br = planes[p + y1 * inW + x1];
                    double top = tl + (tr - tl) * dx, bottom = bl + (br - bl) * dx;
                    expected[(c * outH + y) * outW + x] = (float)(top + (bottom - top) * dy);
                }
        Assert.That(ImagePreprocessor.ToTensor(img, outW, outH, 1 / 255f, mean, std), Is.EqualTo(expected));
    }
}
