namespace GpuMobileNet.Passes;

/// <summary>Which optional graph rewrites <see cref="PassPipeline"/> runs. BatchNorm-to-depthwise always runs:
/// the GPU has no BatchNorm kernel.</summary>
public sealed record PassOptions(
    bool FoldBatchNorm = true,
    bool FuseActivation = true,
    bool FoldPad = true,
    bool FuseResidualAdd = true);
