namespace GpuMobileNet.Import;

/// <summary>How each model format begins, judged from the first bytes of a file (see <see cref="ModelFormat.All"/>).</summary>
internal static class ModelSignatures
{
    /// <summary>A TFLite flatbuffer: the file identifier "TFL3" at byte 4.</summary>
    public static bool IsTflite(byte[] head) => head.Length >= 8 && head.AsSpan(4, 4).SequenceEqual("TFL3"u8);

    /// <summary>A TF.js model.json: a JSON object (after an optional UTF-8 byte order mark and white space) with a
    /// "modelTopology" or "weightsManifest" key in the head (tensorflowjs_converter and tf.js write them first).</summary>
    public static bool IsTfjsModelJson(byte[] head)
    {
        var s = head.AsSpan();
        if (s.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) s = s[3..];
        int first = s.IndexOfAnyExcept(" \t\r\n"u8);
        return first >= 0 && s[first] == (byte)'{' && (s.IndexOf("\"modelTopology\""u8) >= 0 || s.IndexOf("\"weightsManifest\""u8) >= 0);
    }

    /// <summary>An ONNX ModelProto: a protobuf message that starts with ir_version (field 1, which the ONNX checker
    /// requires and serializers write first) and whose every field seen in the head is one of ModelProto's with its wire
    /// type (producer, domain, model_version, doc_string, graph, opset_import, metadata, training_info, functions).
    /// Protobuf has no magic number; a field number or wire type ModelProto lacks rules the file out. A field longer
    /// than the head ends the walk: what was seen decides.</summary>
    public static bool IsOnnx(byte[] head)
    {
        if (head.Length == 0 || head[0] != 0x08) return false; // field 1, varint
        int pos = 0, fields = 0;
        while (pos < head.Length)
        {
            if (!Varint(head, ref pos, out ulong tag)) break;
            if (!IsModelProtoField((long)(tag >> 3), (int)(tag & 7))) return false;
            fields++;
            if (!Varint(head, ref pos, out ulong value)) break;
            if ((tag & 7) == 2) pos = value > (ulong)(head.Length - pos) ? head.Length : pos + (int)value;
        }
        return fields > 0;
    }

    private static bool IsModelProtoField(long field, int wire) => field switch
    {
        1 or 5 => wire == 0, // ir_version, model_version
        2 or 3 or 4 or 6 or 7 or 8 or 14 or 20 or 25 => wire == 2, // strings and messages
        _ => false,
    };

    /// <summary>Reads a base-128 varint; false where the head ends inside it.</summary>
    private static bool Varint(byte[] head, ref int pos, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && pos < head.Length; shift += 7)
        {
            byte b = head[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }
}
