namespace GpuMobileNet.Import.Onnx;

/// <summary>Bounds checked before anything is allocated, so a corrupt or hostile model fails with a message
/// instead of exhausting memory. They are far above what a MobileNet-class model needs.</summary>
internal static class OnnxLimits
{
    /// <summary>Largest model file read into memory (protobuf itself cannot hold more than 2 GiB).</summary>
    public const long MaxFileBytes = int.MaxValue;

    /// <summary>Largest element count of one constant tensor (1 GiB of float).</summary>
    public const long MaxConstantElements = 1L << 28;

    /// <summary>Largest element count a ConstantOfShape/Range/Expand may create: these are shape helpers.</summary>
    public const long MaxGeneratedElements = 1L << 24;

    /// <summary>Largest channel, height or width of an activation.</summary>
    public const int MaxActivationDim = 1 << 16;

    /// <summary>Largest element count of one activation sample.</summary>
    public const long MaxActivationElements = 1L << 28;

    /// <summary>Largest tensor rank accepted anywhere.</summary>
    public const int MaxRank = 8;

    public static long Elements(long[] dims, Func<string, Exception> fail, long max = MaxConstantElements)
    {
        if (dims.Length > MaxRank) throw fail($"rank {dims.Length} is above the limit of {MaxRank}");
        long n = 1;
        foreach (long d in dims)
        {
            if (d < 0) throw fail($"dimension {d} in [{string.Join(", ", dims)}] is negative");
            if (d > max) throw fail($"dimension {d} in [{string.Join(", ", dims)}] is above the limit of {max}");
            n *= d;
            if (n > max) throw fail($"shape [{string.Join(", ", dims)}] has more than {max} elements");
        }
        return n;
    }
}
