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

    /// <summary>Opens the device on another thread while <paramref name="work"/> (reading the model, the image) runs on
    /// this one: both take a good part of a short command's time. If the work fails, the device is closed and the
    /// work's error thrown. <paramref name="whenOpen"/> runs on the opening thread once the device is open (it must not
    /// throw: it starts work that may overlap the rest, such as creating the pipelines a model needed last time).</summary>
    public static (VulkanDevice Device, T Result) OpenWhile<T>(string? device, Func<T> work, Action<VulkanDevice>? whenOpen = null)
    {
        var opening = Task.Run(() =>
        {
            var opened = Open(device);
            whenOpen?.Invoke(opened);
            return opened;
        });
        T result;
        try
        {
            result = work();
        }
        catch
        {
            try { opening.GetAwaiter().GetResult().Dispose(); }
            catch (Exception) { } // the work's error is the one to report
            throw;
        }
        return (opening.GetAwaiter().GetResult(), result);
    }
}
