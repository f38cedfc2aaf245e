using System.Text.RegularExpressions;
using GpuMobileNet.Kernels;
using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>PushOffsets mirrors the push_constant block of shaders/include/common.glsl field for field.</summary>
public class PushOffsetsTests
{
    [Test]
    public void MatchesTheGlslBlockInOrderAndSize()
    {
        var glsl = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "shaders", "include", "common.glsl"));
        var block = Regex.Match(glsl, @"layout\(push_constant\) uniform Offsets \{(?<body>[^}]*)\}").Groups["body"].Value;
        var glslFields = Regex.Matches(block, @"uint (\w+);").Select(m => m.Groups[1].Value.ToLowerInvariant()).ToList();
        var csFields = typeof(PushOffsets).GetConstructors().Single().GetParameters().Select(p => p.Name!.ToLowerInvariant()).ToList();

        Assert.That(glslFields, Is.EqualTo(csFields));
        Assert.That(new PushOffsets(1, 2, 3, 4, 5, 6, 7, 8).ToArray(), Is.EqualTo(new uint[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
        Assert.That(csFields.Count * sizeof(uint), Is.EqualTo(PipelineLibrary.PushConstantBytes));
    }
}
