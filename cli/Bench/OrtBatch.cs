namespace GpuMobileNet.Cli.Bench;

/// <summary>ONNX Runtime (CPU) on the exported network at one batch size: its latency, ours over its (below 1
/// means we are faster), and the largest difference between its output and ours on the same input.</summary>
internal sealed record OrtBatch(int Batch, int Threads, BatchLatency Latency, double OursOverOrt, double MaxAbsDiff);
