using GpuMobileNet.Cli;
using GpuMobileNet.Cli.Bench;
using GpuMobileNet.Kernels;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>gmn bench's --variant (<see cref="Variants.Matching"/>): the rows whose name holds one of its words, in the
/// table's order; a word that names no row is refused naming it. And the two GEMM rows force the two forms.</summary>
public class BenchVariantsTests
{
    [Test]
    public void WordsChooseTheRowsInOrder()
    {
        var rows = Variants.Matching("gemms, Default");
        Assert.That(rows.Select(v => v.Name), Is.EqualTo(Variants.All.Where(v => v.Name.Contains("GEMMs") || v.Name.Contains("default")).Select(v => v.Name)));
        Assert.That(rows.Where(v => v.Name.Contains("GEMMs")).Select(v => v.Options.Kernels.Gemm),
            Is.EqualTo(new[] { GemmVariant.Registers, GemmVariant.SharedMemory }));
        Assert.That(rows.Count(v => v.Name.Contains("default")), Is.GreaterThanOrEqualTo(3), "default and its fp16 rows");
    }

    [TestCase("nonesuch", "--variant 'nonesuch' names no variant row")]
    [TestCase(" , ", "--variant: give at least one word")]
    public void BadWordsAreRefused(string words, string message) =>
        Assert.That(() => Variants.Matching(words), Throws.TypeOf<UsageException>().With.Message.Contains(message));
}
