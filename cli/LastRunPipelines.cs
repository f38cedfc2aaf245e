using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Cli;

/// <summary>A short command's use of <see cref="PipelineList"/>: the pipelines a model needed last time on this device
/// start compiling as soon as the device is open (<see cref="Start"/>, on the opening thread, while the model loads), and
/// what this run created is remembered for the next (<see cref="Remember"/>). Nothing is kept where the model has no
/// identity (a missing file: its load reports that) or the device no pipeline cache file.</summary>
internal sealed class LastRunPipelines(string? modelIdentity)
{
    private string? _list;

    /// <summary>How many kernels the last run's list named (and <see cref="Start"/> began creating).</summary>
    public int Listed { get; private set; }

    public void Start(VulkanDevice device)
    {
        _list = modelIdentity is null ? null : PipelineList.PathFor(device, modelIdentity);
        var kernels = _list is null ? [] : PipelineList.Read(_list);
        Listed = kernels.Length;
        // Not awaited here: the session waits for the pipelines it needs, and the device's Dispose for the rest.
        device.Pipelines.CreateAllAsync(kernels);
    }

    public void Remember(VulkanDevice device)
    {
        if (_list is not null) PipelineList.Write(_list, device.Pipelines.CreatedKeys);
    }
}
