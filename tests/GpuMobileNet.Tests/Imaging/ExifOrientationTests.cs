using GpuMobileNet.Imaging;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Imaging;

/// <summary>A JPEG is decoded upright whatever its EXIF orientation: the photo with an EXIF block of each orientation
/// (both TIFF byte orders) inserted in the test decodes to the stored pixels turned and mirrored as the EXIF standard
/// says, composed here from two independent primitives; a malformed EXIF block reads as upright.</summary>
public class ExifOrientationTests
{
    [Test]
    public void EachOrientationDecodesUpright([Range(1, 8)] int orientation, [Values] bool bigEndian)
    {
        var jpeg = File.ReadAllBytes(TestPaths.Photo("rocket.jpg"));
        var stored = ImageLoader.Decode(jpeg, "rocket.jpg");
        var tagged = WithExif(jpeg, orientation, bigEndian);
        Assert.That(ExifOrientation.Read(tagged), Is.EqualTo(orientation));
        var upright = ImageLoader.Decode(tagged, "tagged.jpg");
        var expected = Expected(stored, orientation);
        Assert.That((upright.Width, upright.Height), Is.EqualTo((expected.Width, expected.Height)));
        Assert.That(upright.Pixels, Is.EqualTo(expected.Pixels));
    }

    [Test]
    public void MalformedOrTruncatedExifReadsAsUpright()
    {
        var jpeg = File.ReadAllBytes(TestPaths.Photo("rocket.jpg"));
        var tagged = WithExif(jpeg, 6, false);
        Assert.That(ExifOrientation.Read(tagged[..30]), Is.EqualTo(1), "cut inside the EXIF block");
        var badCount = (byte[])tagged.Clone();
        badCount[2 + 4 + 6 + 8] = 0xFF; // IFD0's entry count far beyond the block
        Assert.That(ExifOrientation.Read(badCount), Is.EqualTo(1));
        var badValue = (byte[])tagged.Clone();
        badValue[2 + 4 + 6 + 8 + 2 + 8] = 9; // orientation 9 does not exist
        Assert.That(ExifOrientation.Read(badValue), Is.EqualTo(1));
        Assert.That(ExifOrientation.Read(File.ReadAllBytes(TestPaths.Photo("chelsea.png"))), Is.EqualTo(1), "not a JPEG");
    }

    /// <summary>The EXIF standard's meaning of each orientation, as mirrors and clockwise quarter turns.</summary>
    private static RgbImage Expected(RgbImage img, int orientation) => orientation switch
    {
        1 => img,
        2 => Mirror(img),
        3 => Turn(Turn(img)),
        4 => Turn(Turn(Mirror(img))),
        5 => Turn(Turn(Turn(Mirror(img)))),
        6 => Turn(img),
        7 => Turn(Mirror(img)),
        _ => Turn(Turn(Turn(img))),
    };

    private static RgbImage Mirror(RgbImage img) => Remap(img, img.Width, img.Height, (x, y) => (img.Width - 1 - x, y));

    /// <summary>A quarter turn clockwise: the stored left column becomes the top row.</summary>
    private static RgbImage Turn(RgbImage img) => Remap(img, img.Height, img.Width, (x, y) => (y, img.Height - 1 - x));

    private static RgbImage Remap(RgbImage img, int w, int h, Func<int, int, (int X, int Y)> source)
    {
        var dst = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var (sx, sy) = source(x, y);
                for (int c = 0; c < 3; c++) dst[3 * (y * w + x) + c] = img.Pixels[3 * (sy * img.Width + sx) + c];
            }
        return new RgbImage(w, h, dst);
    }

    /// <summary>The JPEG with an APP1 EXIF block right after SOI: a TIFF header and IFD0 holding one entry, the
    /// orientation (SHORT, count 1).</summary>
    internal static byte[] WithExif(byte[] jpeg, int orientation, bool bigEndian)
    {
        var tiff = new List<byte>();
        void U16(int v) => tiff.AddRange(bigEndian ? [(byte)(v >> 8), (byte)v] : [(byte)v, (byte)(v >> 8)]);
        void U32(int v) { if (bigEndian) { U16(v >> 16); U16(v & 0xFFFF); } else { U16(v & 0xFFFF); U16(v >> 16); } }
        tiff.AddRange(bigEndian ? "MM"u8.ToArray() : "II"u8.ToArray());
        U16(42);
        U32(8);           // IFD0 right after the header
        U16(1);           // one entry
        U16(0x0112); U16(3); U32(1); U16(orientation); U16(0);
        U32(0);           // no next IFD
        var app1 = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        int length = app1.Length + 2;
        return [.. jpeg[..2], 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. app1, .. jpeg[2..]];
    }
}
