using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Cli;

/// <summary>Opens devices for the commands so that every validation-layer message (GMN_VALIDATION=1) is printed to
/// stderr as it arrives, as a "vulkan: ..." line, and counted: <see cref="CliErrors"/> then fails the command.</summary>
internal static class CliDevice
{
    private static long _validationMessages;

    /// <summary>Validation messages seen by this process so far.</summary>
    public static long ValidationMessages => Interlocked.Read(ref _validationMessages);

    public static VulkanDevice Open(string? device) => VulkanDevice.Open(new DeviceOptions
    {
        Device = device,
        OnValidationMessage = message =>
        {
            Interlocked.Increment(ref _validationMessages);
            Console.Error.WriteLine("vulkan: " + message.ReplaceLineEndings(" "));
        },
    });
}
