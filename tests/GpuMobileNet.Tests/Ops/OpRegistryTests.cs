using System.Reflection;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Models;
using GpuMobileNet.Ops;
using GpuMobileNet.Passes;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Ops;

/// <summary>Every op type of the engine is one provider in <see cref="OpRegistry"/> with all the engine needs of it: a
/// reference, GPU kernels that exist (or a stated reason for none), an ONNX export (or a stated reason for none) and a
/// GPU fixture that checks it against the oracle. Each test names the ops that fail it.</summary>
public class OpRegistryTests
{
    /// <summary>Every concrete graph op type in the engine assembly.</summary>
    private static List<Type> OpTypes() => typeof(Node).Assembly.GetTypes()
        .Where(t => typeof(Node).IsAssignableFrom(t) && !t.IsAbstract).OrderBy(t => t.Name).ToList();

    /// <summary>Every <see cref="KernelId"/> declared as a static field in the engine (as SpecConstantsTests finds them).</summary>
    private static HashSet<KernelId> DeclaredKernels() => typeof(KernelId).Assembly.GetTypes()
        .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
        .Where(f => typeof(KernelId).IsAssignableFrom(f.FieldType))
        .Select(f => (KernelId)f.GetValue(null)!).ToHashSet();

    private static IOpProvider ProviderOf(Type op) => OpRegistry.Providers.Single(p => p.OpType == op);

    private static void AssertNone(IEnumerable<string> failures, string what)
    {
        var list = failures.ToList();
        Assert.That(list, Is.Empty, $"{what}:\n  " + string.Join("\n  ", list));
    }

    [Test]
    public void EveryOpTypeHasExactlyOneProvider()
    {
        var registered = OpRegistry.Providers.Select(p => p.OpType).ToList();
        Assert.That(OpTypes(), Has.Count.GreaterThanOrEqualTo(27), "the engine's op types were not found by reflection");
        AssertNone(OpTypes().Where(t => registered.Count(r => r == t) != 1).Select(t => $"{t.Name}: {registered.Count(r => r == t)} providers"),
            "op types without exactly one provider in OpRegistry");
        AssertNone(registered.Where(t => !OpTypes().Contains(t)).Select(t => t.Name), "providers of types that are not concrete ops");
    }

    [Test]
    public void EveryProviderHasItsOwnReference()
    {
        AssertNone(OpRegistry.Providers.Where(p => Declarer(p, "Reference") != p.GetType()).Select(p => p.OpType.Name),
            "providers whose CPU reference is not their own");
    }

    [Test]
    public void EveryOpHasADeclaredGpuKernelOrAStatedReasonForNone()
    {
        var declared = DeclaredKernels();
        AssertNone(OpRegistry.Providers.Where(p => p.Kernels.Count == 0 && string.IsNullOrWhiteSpace(p.NoKernelReason))
            .Select(p => p.OpType.Name), "ops with no GPU kernel and no reason");
        AssertNone(OpRegistry.Providers.Where(p => p.Kernels.Count > 0 && p.NoKernelReason is not null)
            .Select(p => p.OpType.Name), "ops with kernels and a reason for having none");
        AssertNone(OpRegistry.Providers.SelectMany(p => p.Kernels.Where(k => !declared.Contains(k)).Select(k => $"{p.OpType.Name}: {k}")),
            "kernels that are not declared kernel ids");
    }

    [Test]
    public void EveryOpHasAnExportOrAStatedReasonForNone()
    {
        var exports = OpRegistry.Providers.Where(p => Declarer(p, "Export") == p.GetType()).ToHashSet();
        AssertNone(OpRegistry.Providers.Where(p => !exports.Contains(p) && string.IsNullOrWhiteSpace(p.NoExportReason)).Select(p => p.OpType.Name),
            "ops with no ONNX export and no reason");
        AssertNone(OpRegistry.Providers.Where(p => exports.Contains(p) && p.NoExportReason is not null).Select(p => p.OpType.Name),
            "ops with an ONNX export and a reason for having none");
    }

    [Test]
    public void EveryOpHasAGpuOracleTest()
    {
        var fixtures = typeof(OpRegistryTests).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<OracleTestForAttribute>().Select(a => (Fixture: t, a.Op))).ToList();
        AssertNone(fixtures.Where(f => !typeof(GpuTest).IsAssignableFrom(f.Fixture)).Select(f => $"{f.Fixture.Name} ({f.Op.Name})"),
            "oracle fixtures that are not GPU tests");
        AssertNone(OpTypes().Where(t => fixtures.All(f => f.Op != t)).Select(t => t.Name),
            "ops without a fixture marked [OracleTestFor(typeof(op))]");
    }

    /// <summary>The shape rule of every provider agrees with the shapes the builders, importers' passes and fusions
    /// give, on every built-in network before and after the passes (planar and packed).</summary>
    [TestCaseSource(nameof(BuiltInNetworks))]
    public void ShapeRulesAgreeWithTheBuiltInNetworks(string model)
    {
        var graphs = BeforeAndAfterThePasses(model);
        var checkedOps = new HashSet<Type>();
        foreach (var node in graphs.SelectMany(x => x.Nodes))
        {
            Assert.DoesNotThrow(() => OpRegistry.CheckShape(node), $"{model}: {node}");
            checkedOps.Add(node.GetType());
        }
        TestContext.Out.WriteLine($"{model}: shape rules of {string.Join(", ", checkedOps.Select(t => t.Name).Order())}");
    }

    /// <summary>An op that holds constant arrays, or ops with theirs (a fused block's convolutions), lists them, so the
    /// finite-constants check reads every constant of a graph.</summary>
    [Test]
    public void EveryOpHoldingConstantsListsThem()
    {
        static bool HoldsConstants(Type op) => op.GetProperties()
            .Any(p => p.PropertyType == typeof(float[]) || typeof(Node).IsAssignableFrom(p.PropertyType));
        var holders = OpTypes().Where(HoldsConstants).ToList();
        Assert.That(holders.Select(t => t.Name), Is.SupersetOf(new[] { "Conv2dOp", "DenseOp", "BatchNormOp", "FusedBlockOp" }),
            "op types holding constants were not found by reflection");
        AssertNone(holders.Where(t => Declarer(ProviderOf(t), "Constants") != ProviderOf(t).GetType()).Select(t => t.Name),
            "ops that hold constants but whose provider does not list them (Constants)");
    }

    /// <summary>What the providers list as constants covers every parameter of the built-in networks, before and after
    /// the passes (fused blocks, SE gates, shuffled reads, mapped convolutions, concatenation writers).</summary>
    [TestCaseSource(nameof(BuiltInNetworks))]
    public void ConstantsCoverTheParametersOfTheBuiltInNetworks(string model)
    {
        var graphs = BeforeAndAfterThePasses(model);
        // BatchNorm lists its running statistics too, which are not parameters: at least, not equal.
        AssertNone(graphs.SelectMany(x => x.Nodes).Where(n => OpRegistry.Constants(n).Sum(k => (long)k.Values.Length) < OpRegistry.Params(n))
            .Select(n => $"{n}: {OpRegistry.Constants(n).Sum(k => (long)k.Values.Length)} constants for {OpRegistry.Params(n)} parameters"),
            $"{model}: ops whose listed constants miss some of their parameters");
    }

    [Test]
    public void ShapeRuleRefusesAnOutputItsInputsDoNotGiveByName()
    {
        var x = new Value("x", new TensorShape(3, 8, 8));
        var wrong = new Value("y", new TensorShape(4, 8, 8));
        var conv = new Conv2dOp("conv", x, wrong, 3, 3, 1, 1, new Padding(1, 1, 1, 1), 1, new float[6 * 3 * 9], null);
        Assert.That(() => OpRegistry.CheckShape(conv), Throws.TypeOf<InvalidGraphException>()
            .With.Message.Contains("Conv2d 'conv'").And.Message.Contains("4x8x8").And.Message.Contains("6x8x8"));
        var add = new AddOp("add", x, new Value("z", new TensorShape(3, 4, 4)), x);
        Assert.That(() => OpRegistry.CheckShape(add), Throws.TypeOf<InvalidGraphException>().With.Message.Contains("Add 'add'"));
    }

    private static readonly string[] BuiltInNetworks =
        ["mobilenet_v2", "mobilenet_v3_large", "shufflenet_v1", "shufflenet_v2", "ghostnet", "ssdlite_mobilenet_v2"];

    // The network as built, and after the passes planar and packed.
    private static ModelGraph[] BeforeAndAfterThePasses(string model)
    {
        var g = ModelZoo.Create(model, 0.5, 96, 10, WeightInit.Random(5));
        return [g, PassPipeline.Apply(g, new PassOptions()), PassPipeline.Apply(g, new PassOptions { PackChannels = true })];
    }

    // The type that declares the provider's override of the named member (OpProvider<> where it is not overridden).
    private static Type? Declarer(IOpProvider provider, string method) =>
        provider.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Single(m => m.Name == method && m.GetParameters()[0].ParameterType == provider.OpType).DeclaringType;
}
