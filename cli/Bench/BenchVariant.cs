using GpuMobileNet.Runtime;

namespace GpuMobileNet.Cli.Bench;

/// <summary>One configuration of the engine that bench times on the same model and input as the others.</summary>
internal sealed record BenchVariant(string Name, SessionOptions Options);
