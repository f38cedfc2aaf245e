using System.Reflection;
using System.Text.RegularExpressions;
using GpuMobileNet.Kernels;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>Every kernel's constants struct against its shader: field i is constant_id i with the shader's name (id 0 the
/// workgroup size, from common.glsl's local_size_x_id = 0), float where the shader's constant is float; and every
/// shader has a kernel identity. A constant added to a shader but not to its struct (or out of order) fails here
/// instead of silently specialising the wrong constant.</summary>
public sealed partial class SpecConstantsTests
{
    /// <summary>Every <see cref="KernelId"/> declared as a static field anywhere in the engine.</summary>
    private static IEnumerable<KernelId> AllKernels() => typeof(KernelId).Assembly.GetTypes()
        .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
        .Where(f => typeof(KernelId).IsAssignableFrom(f.FieldType))
        .Select(f => (KernelId)f.GetValue(null)!);

    private static IEnumerable<TestCaseData> Kernels() =>
        AllKernels().Select(k => new TestCaseData(k).SetArgDisplayNames(k.Shader));

    [TestCaseSource(nameof(Kernels))]
    public void ConstantsStructMatchesTheShadersConstantIds(object kernelId) // object: KernelId is internal, the test method public
    {
        var kernel = (KernelId)kernelId;
        var source = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "shaders", DerivedShaders().GetValueOrDefault(kernel.Shader, kernel.Shader + ".comp")));
        var declared = ConstantId().Matches(source)
            .Select(m => (Id: int.Parse(m.Groups[1].Value), Type: m.Groups[2].Value, Name: m.Groups[3].Value))
            .OrderBy(c => c.Id).ToList();
        Assert.That(source, Does.Contain("#include \"common.glsl\""), "constant_id 0 is the workgroup size from common.glsl");
        Assert.That(declared.Select(c => c.Id), Is.EqualTo(Enumerable.Range(1, declared.Count)), "constant_ids 1..n without gaps");

        var fields = Fields(kernel.ConstantsType);
        var expected = new[] { (Type: "int", Name: "LOCAL_SIZE") }.Concat(declared.Select(c => (c.Type, c.Name))).ToList();
        Assert.That(fields.Select(FieldName), Is.EqualTo(expected.Select(c => Normalise(c.Name))),
            $"{kernel.ConstantsType.Name}'s fields against {kernel.Shader}.comp's constants");
        for (int i = 0; i < fields.Length; i++)
        {
            var type = fields[i].FieldType;
            Assert.That(type == typeof(float), Is.EqualTo(expected[i].Type == "float"),
                $"{kernel.ConstantsType.Name}.{FieldName(fields[i])}: float exactly where the shader's constant is float");
            Assert.That(type == typeof(int) || type == typeof(float) || type == typeof(GlslBool) || (type.IsEnum && Enum.GetUnderlyingType(type) == typeof(int)),
                Is.True, $"{kernel.ConstantsType.Name}.{FieldName(fields[i])} is a {type.Name}: every constant must be one 32-bit word (bool: GlslBool)");
        }
        Assert.That(System.Runtime.InteropServices.Marshal.SizeOf(kernel.ConstantsType), Is.EqualTo(4 * fields.Length), "one word per field, no padding");
    }

    [Test]
    public void EveryShaderHasAKernelIdentity()
    {
        var shaders = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "shaders"), "*.comp").Select(Path.GetFileNameWithoutExtension);
        Assert.That(AllKernels().Select(k => k.Shader).Distinct(), Is.EquivalentTo(shaders.Concat(DerivedShaders().Keys)));
    }

    /// <summary>The kernels shaders/Shaders.targets builds a second time from another's source (DerivedShader items): name
    /// to source file.</summary>
    private static Dictionary<string, string> DerivedShaders() =>
        DerivedShader().Matches(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "shaders", "Shaders.targets")))
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    [GeneratedRegex(@"<DerivedShader Include=""(\w+)"" Source=""([\w.]+)""")]
    private static partial Regex DerivedShader();

    [Test]
    public void PackGivesOneWordPerConstantInOrderWithFloatsAsBits()
    {
        var words = SpecConstants.Pack(new PreprocessRgba8Constants(64, 224, 160, 0.5f, 1, 2, 3, 4, 5, 6, Bgra: true));
        Assert.That(words, Is.EqualTo(new[]
        {
            64, 224, 160, BitConverter.SingleToInt32Bits(0.5f), BitConverter.SingleToInt32Bits(1f), BitConverter.SingleToInt32Bits(2f),
            BitConverter.SingleToInt32Bits(3f), BitConverter.SingleToInt32Bits(4f), BitConverter.SingleToInt32Bits(5f),
            BitConverter.SingleToInt32Bits(6f), 1,
        }));
        Assert.That(SpecConstants.Pack(new AddConstants(32, 100, GpuMobileNet.Graph.Activation.Relu6, true)), Is.EqualTo(new[] { 32, 100, 2, 1 }));
    }

    /// <summary>The struct's fields in declaration order (metadata tokens grow with it), which is the order of its memory.</summary>
    private static FieldInfo[] Fields(Type constants) =>
        constants.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).OrderBy(f => f.MetadataToken).ToArray();

    /// <summary>A record struct's field is its property's backing field, "&lt;Name&gt;k__BackingField".</summary>
    private static string FieldName(FieldInfo f) => Normalise(Regex.Match(f.Name, "^<(.+)>k__BackingField$") is { Success: true } m ? m.Groups[1].Value : f.Name);

    /// <summary>"HAS_BIAS" and "HasBias" alike: lower case, no underscores.</summary>
    private static string Normalise(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    [GeneratedRegex(@"layout\s*\(\s*constant_id\s*=\s*(\d+)\s*\)\s*const\s+(\w+)\s+(\w+)")]
    private static partial Regex ConstantId();
}
