using System.Globalization;
using System.Text.RegularExpressions;

namespace GpuMobileNet.Vulkan;

/// <summary>Specialisation constants of a generated HLSL kernel, which HLSL cannot specialise: they become the
/// SPIRV_CROSS_CONSTANT_ID_n defines that spirv-cross's output reads (run-time HLSL pipelines, gmn export-hlsl).</summary>
internal static partial class HlslConstants
{
    /// <summary>The define of each constant: a float constant travels as its bits (SpecializationInfo is raw bytes) and
    /// is written as the float literal HLSL wants; the others as integers.</summary>
    public static Dictionary<string, string> Defines(string hlsl, ReadOnlySpan<int> specConstants)
    {
        var floats = Declared(hlsl).Where(c => c.Type == "float").Select(c => c.Id).ToHashSet();
        var defines = new Dictionary<string, string>();
        for (int i = 0; i < specConstants.Length; i++)
            defines[$"SPIRV_CROSS_CONSTANT_ID_{i}"] = floats.Contains(i)
                ? BitConverter.Int32BitsToSingle(specConstants[i]).ToString("0.0#########E+0", CultureInfo.InvariantCulture)
                : specConstants[i].ToString(CultureInfo.InvariantCulture);
        return defines;
    }

    /// <summary>The constants the HLSL declares (`static const TYPE NAME = SPIRV_CROSS_CONSTANT_ID_n;`): their ids, types
    /// and GLSL names (id 0, the workgroup size, has a generated name).</summary>
    public static IReadOnlyList<(int Id, string Type, string Name)> Declared(string hlsl) =>
        Declaration().Matches(hlsl)
            .Select(m => (int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), m.Groups[1].Value, m.Groups[2].Value))
            .DistinctBy(c => c.Item1).OrderBy(c => c.Item1).ToList();

    [GeneratedRegex(@"static const (\w+) (\w+) = SPIRV_CROSS_CONSTANT_ID_(\d+);")]
    private static partial Regex Declaration();
}
