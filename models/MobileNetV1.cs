namespace GpuMobileNet.Models;

/// <summary>Placeholder, replaced by the MobileNetV1 builder.</summary>
internal static class Placeholder { }
