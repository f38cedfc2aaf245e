using System.Collections.Concurrent;
using System.Reflection;

namespace GpuMobileNet.Kernels;

/// <summary>A kernel's specialisation constants as a struct: field i (in declaration order) is the shader's
/// constant_id i, named as the shader names it (LocalSize is id 0, the workgroup size: local_size_x_id = 0).
/// Fields are int, bool (0/1), an enum (its value) or float (its bits). <c>SpecConstantsTests</c> checks every
/// struct against its shader's declarations.</summary>
public interface ISpecConstants;

/// <summary>Turns an <see cref="ISpecConstants"/> struct into the 32-bit words a pipeline is specialised with.</summary>
public static class SpecConstants
{
    private static readonly ConcurrentDictionary<Type, FieldInfo[]> FieldsByType = new();

    /// <summary>The struct's fields in constant_id order (declaration order: metadata tokens grow with it).</summary>
    public static FieldInfo[] Fields(Type constants) => FieldsByType.GetOrAdd(constants, t =>
        t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).OrderBy(f => f.MetadataToken).ToArray());

    /// <summary>The words of <paramref name="constants"/>, word i for constant_id i.</summary>
    public static int[] Pack(ISpecConstants constants)
    {
        var fields = Fields(constants.GetType());
        var words = new int[fields.Length];
        for (int i = 0; i < fields.Length; i++)
            words[i] = fields[i].GetValue(constants) switch
            {
                int v => v,
                bool b => b ? 1 : 0,
                float f => BitConverter.SingleToInt32Bits(f),
                Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture),
                var other => throw new NotSupportedException(
                    $"{constants.GetType().Name}.{fields[i].Name}: a specialisation constant must be int, bool, float or an enum, not {other?.GetType().Name}"),
            };
        return words;
    }
}
