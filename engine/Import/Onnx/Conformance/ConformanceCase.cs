namespace GpuMobileNet.Import.Onnx.Conformance;

/// <summary>How one ONNX backend test case ended.</summary>
internal enum ConformanceStatus
{
    /// <summary>Loaded and every output within tolerance on every data set.</summary>
    Passed,
    /// <summary>Loaded but an output differs from the expected one (a wrong answer: always a bug).</summary>
    Mismatch,
    /// <summary>Refused at load with a ModelLoadException (an op, attribute or shape we do not run).</summary>
    Refused,
    /// <summary>Any other exception: always a bug.</summary>
    Crashed,
}

/// <summary>One case: its name, the op types of its nodes, whether we claim all of them, and the outcome.</summary>
internal sealed record ConformanceCase(string Name, IReadOnlyList<string> Ops, bool Claimed, ConformanceStatus Status, string Message)
{
    /// <summary>The op the case is filed under: its first node's op type.</summary>
    public string Op => Ops.Count > 0 ? Ops[0] : "(none)";

    /// <summary>Whether a refusal names one of the case's ops, as a refusal of an unsupported op must.</summary>
    public bool NamesAnOp => Ops.Any(op => Message.Contains($"({op})", StringComparison.Ordinal) || Message.Contains($"op {op} ", StringComparison.Ordinal));
}
