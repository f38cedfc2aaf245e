namespace GpuMobileNet.Cli.Bench;

/// <summary>All dispatches of one shader in a profiled run, summed: where the time goes by kernel type.</summary>
internal sealed record KernelTotal(string Kernel, int Dispatches, double Milliseconds, double MultiplyAdds, double Gflops, double PercentOfPeak);
