using System.Buffers.Binary;

namespace GpuMobileNet.Import.Ncnn;

/// <summary>The .bin weights: each layer's blobs back to back in layer order (<see cref="NcnnWeightSpec"/>). A tagged
/// blob starts with a 4-byte tag: 0 (fp32), 0x01306B47 (fp16), 0x000D4B38 (int8, to be divided by the layer's weight
/// scales), 0x0002C056 (fp32), or any other non-zero tag: a table of 256 floats then one byte index per value.
/// fp16, int8 and index payloads are padded to a multiple of 4 bytes.</summary>
internal static class NcnnWeightFile
{
    public const uint Fp32Tag = 0, Fp16Tag = 0x01306B47, Int8Tag = 0x000D4B38, Fp32AltTag = 0x0002C056;

    /// <summary>One blob as read: its values, and whether they are int8 levels still to be scaled.</summary>
    public readonly record struct Blob(float[] Values, bool IsInt8);

    /// <summary>Reads the .bin sequentially, checking each blob fits before allocating it.</summary>
    public sealed class Reader(byte[] bytes, string file)
    {
        private int _at;

        /// <summary>The next blob, for <paramref name="layer"/>.</summary>
        public Blob Read(NcnnLayer layer, NcnnBlobSpec spec)
        {
            if (spec.Count < 0 || spec.Count > int.MaxValue / 4)
                throw Fail(layer, $"a weight blob of {spec.Count} values (from its parameters) is not a valid size");
            int n = (int)spec.Count;
            if (!spec.Tagged) return new Blob(Floats(layer, n), false);
            uint tag = (uint)BinaryPrimitives.ReadInt32LittleEndian(Take(layer, 4, "its type tag"));
            switch (tag)
            {
                case Fp32Tag or Fp32AltTag:
                    return new Blob(Floats(layer, n), false);
                case Fp16Tag:
                {
                    var raw = Take(layer, Align4(2L * n), $"{n} fp16 values");
                    var v = new float[n];
                    for (int i = 0; i < n; i++) v[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(2 * i)..]);
                    return new Blob(v, false);
                }
                case Int8Tag:
                {
                    var raw = Take(layer, Align4(n), $"{n} int8 values");
                    var v = new float[n];
                    for (int i = 0; i < n; i++) v[i] = (sbyte)raw[i];
                    return new Blob(v, true);
                }
                default:
                {
                    var table = Floats(layer, 256);
                    var raw = Take(layer, Align4(n), $"{n} table indices");
                    var v = new float[n];
                    for (int i = 0; i < n; i++) v[i] = table[raw[i]];
                    return new Blob(v, false);
                }
            }
        }

        /// <summary>Fails unless every byte was read.</summary>
        public void CheckEnd(int layers)
        {
            if (_at != bytes.Length)
                throw new ModelLoadException($"{file}: {bytes.Length - _at} bytes are left after the weights of all {layers} layers (the .bin is too long for this .param)");
        }

        private float[] Floats(NcnnLayer layer, int n)
        {
            var raw = Take(layer, 4L * n, $"{n} fp32 values");
            var v = new float[n];
            for (int i = 0; i < n; i++)
            {
                v[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]);
                if (!float.IsFinite(v[i])) throw Fail(layer, $"weight {i} of a blob is not finite ({v[i]})");
            }
            return v;
        }

        private ReadOnlySpan<byte> Take(NcnnLayer layer, long n, string what)
        {
            if (n > bytes.Length - _at)
                throw Fail(layer, $"the .bin ends at byte {bytes.Length} while reading {what} at byte {_at} (too short for this .param)");
            var span = bytes.AsSpan(_at, (int)n);
            _at += (int)n;
            return span;
        }

        private ModelLoadException Fail(NcnnLayer layer, string message) => new($"{file}: {layer}: {message}");
    }

    /// <summary>Appends blobs in the .bin format.</summary>
    public sealed class Writer(Stream stream)
    {
        /// <summary>fp32 values, after the fp32 tag when <paramref name="tagged"/>.</summary>
        public void WriteFloats(ReadOnlySpan<float> values, bool tagged)
        {
            if (tagged) WriteInt((int)Fp32Tag);
            Span<byte> b = stackalloc byte[4];
            foreach (var v in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(b, v);
                stream.Write(b);
            }
        }

        /// <summary>int8 levels after the int8 tag, padded to 4 bytes.</summary>
        public void WriteInt8(ReadOnlySpan<sbyte> levels)
        {
            WriteInt((int)Int8Tag);
            foreach (var q in levels) stream.WriteByte((byte)q);
            for (long i = levels.Length; i < Align4(levels.Length); i++) stream.WriteByte(0);
        }

        private void WriteInt(int v)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, v);
            stream.Write(b);
        }
    }

    private static long Align4(long n) => (n + 3) & ~3L;
}
