namespace GpuMobileNet.Tests.Support;

/// <summary>Marks a GPU test fixture that runs <see cref="Op"/> on the GPU and compares it with the CPU reference;
/// <see cref="Ops.OpRegistryTests"/> fails for any op type that no fixture claims.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class OracleTestForAttribute(Type op) : Attribute
{
    /// <summary>The graph op (a concrete Node type) the fixture checks against the oracle.</summary>
    public Type Op { get; } = op;
}
