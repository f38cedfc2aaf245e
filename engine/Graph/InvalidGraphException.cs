namespace GpuMobileNet.Graph;

/// <summary>A graph that is malformed: wrong weight sizes, shapes that do not fit, unknown values.
/// The message names the op and the culprit.</summary>
internal sealed class InvalidGraphException(string message) : InvalidInputException(message);
