using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GpuMobileNet.Kernels;

/// <summary>A kernel's specialisation constants as a struct: field i (in declaration order) is the shader's
/// constant_id i, named as the shader names it (LocalSize is id 0, the workgroup size: local_size_x_id = 0). Every
/// field is one 32-bit word: int, float (its bits, as Vulkan takes a float constant), an int-backed enum (its value)
/// or <see cref="GlslBool"/> — never a .NET bool, which is one byte. <c>SpecConstantsTests</c> checks every struct
/// against its shader's declarations.</summary>
public interface ISpecConstants;

/// <summary>A GLSL bool/int flag constant as a 32-bit word (0 or 1); converts to and from bool.</summary>
public readonly record struct GlslBool(int Word)
{
    /// <summary>1 for true, 0 for false.</summary>
    public static implicit operator GlslBool(bool value) => new(value ? 1 : 0);

    /// <summary>Whether the word is non-zero.</summary>
    public static implicit operator bool(GlslBool flag) => flag.Word != 0;

    /// <inheritdoc/>
    public override string ToString() => Word != 0 ? "true" : "false";
}

/// <summary>Turns an <see cref="ISpecConstants"/> struct into the 32-bit words a pipeline is specialised with.</summary>
public static class SpecConstants
{
    /// <summary>The words of <paramref name="constants"/>, word i for constant_id i: the struct's memory itself (a
    /// struct's fields lie in declaration order, and every field is one word), so no reflection is involved and the
    /// NativeAOT library packs the same words.</summary>
    public static int[] Pack<TConstants>(TConstants constants) where TConstants : unmanaged, ISpecConstants
    {
        if (Unsafe.SizeOf<TConstants>() % sizeof(int) != 0)
            throw new NotSupportedException($"{typeof(TConstants).Name}: every specialisation constant must be a 32-bit word");
        return MemoryMarshal.Cast<TConstants, int>(MemoryMarshal.CreateReadOnlySpan(ref constants, 1)).ToArray();
    }
}
