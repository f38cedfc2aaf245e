using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;
using NUnit.Framework;

namespace GpuMobileNet.Tests;

public class GraphBuilderTests
{
    [Test]
    public void ConvWithWrongWeightCountNamesTheOp()
    {
        var b = new GraphBuilder("g", new TensorShape(3, 8, 8));
        var ex = Assert.Throws<InvalidGraphException>(() =>
            b.Conv2d("stem", b.Input, 4, 3, 1, Padding.Symmetric(1), 1, new float[5]));
        Assert.That(ex!.Message, Does.Contain("stem").And.Contain("108"));
    }
}
