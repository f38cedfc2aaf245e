using NUnit.Framework;
using Silk.NET.Vulkan;

namespace GpuMobileNet.Tests.Vulkan;

/// <summary>What a game engine does to get a photo into a GPU image: a device-local VkImage (4 bytes per texel), a
/// staging buffer, a copy recorded into its own command buffer, and a transition to SHADER_READ_ONLY_OPTIMAL.</summary>
internal sealed unsafe class HostImageUpload : IDisposable
{
    private readonly Vk _vk;
    private readonly Device _device;
    private readonly DeviceMemory _memory;

    public Image Image { get; }

    public HostImageUpload(Vk vk, PhysicalDevice physical, Device device, Queue queue, uint family, Format format, int width, int height, byte[] texels)
    {
        (_vk, _device) = (vk, device);
        var info = new ImageCreateInfo
        {
            SType = StructureType.ImageCreateInfo, ImageType = ImageType.Type2D, Format = format, Extent = new Extent3D((uint)width, (uint)height, 1),
            MipLevels = 1, ArrayLayers = 1, Samples = SampleCountFlags.Count1Bit, Tiling = ImageTiling.Optimal,
            Usage = ImageUsageFlags.TransferSrcBit | ImageUsageFlags.TransferDstBit | ImageUsageFlags.SampledBit, InitialLayout = ImageLayout.Undefined,
        };
        Assert.That(vk.CreateImage(device, in info, null, out var image), Is.EqualTo(Result.Success));
        Image = image;
        vk.GetImageMemoryRequirements(device, image, out var req);
        _memory = Allocate(physical, req, MemoryPropertyFlags.DeviceLocalBit);
        vk.BindImageMemory(device, image, _memory, 0);

        var bufferInfo = new BufferCreateInfo { SType = StructureType.BufferCreateInfo, Size = (ulong)texels.Length, Usage = BufferUsageFlags.TransferSrcBit };
        vk.CreateBuffer(device, in bufferInfo, null, out var staging);
        vk.GetBufferMemoryRequirements(device, staging, out var breq);
        var stagingMemory = Allocate(physical, breq, MemoryPropertyFlags.HostVisibleBit | MemoryPropertyFlags.HostCoherentBit);
        vk.BindBufferMemory(device, staging, stagingMemory, 0);
        void* mapped;
        vk.MapMemory(device, stagingMemory, 0, Vk.WholeSize, 0, &mapped);
        texels.CopyTo(new Span<byte>(mapped, texels.Length));
        vk.UnmapMemory(device, stagingMemory);

        var poolInfo = new CommandPoolCreateInfo { SType = StructureType.CommandPoolCreateInfo, QueueFamilyIndex = family };
        vk.CreateCommandPool(device, in poolInfo, null, out var pool);
        var alloc = new CommandBufferAllocateInfo { SType = StructureType.CommandBufferAllocateInfo, CommandPool = pool, Level = CommandBufferLevel.Primary, CommandBufferCount = 1 };
        vk.AllocateCommandBuffers(device, in alloc, out var cb);
        var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo, Flags = CommandBufferUsageFlags.OneTimeSubmitBit };
        vk.BeginCommandBuffer(cb, in begin);
        Transition(cb, ImageLayout.Undefined, ImageLayout.TransferDstOptimal, 0, AccessFlags.TransferWriteBit);
        var region = new BufferImageCopy
        {
            ImageSubresource = new ImageSubresourceLayers(ImageAspectFlags.ColorBit, 0, 0, 1), ImageExtent = new Extent3D((uint)width, (uint)height, 1),
        };
        vk.CmdCopyBufferToImage(cb, staging, image, ImageLayout.TransferDstOptimal, 1, in region);
        Transition(cb, ImageLayout.TransferDstOptimal, ImageLayout.ShaderReadOnlyOptimal, AccessFlags.TransferWriteBit, AccessFlags.ShaderReadBit);
        vk.EndCommandBuffer(cb);
        var submit = new SubmitInfo { SType = StructureType.SubmitInfo, CommandBufferCount = 1, PCommandBuffers = &cb };
        Assert.That(vk.QueueSubmit(queue, 1, in submit, default), Is.EqualTo(Result.Success));
        vk.QueueWaitIdle(queue);
        vk.DestroyCommandPool(device, pool, null);
        vk.DestroyBuffer(device, staging, null);
        vk.FreeMemory(device, stagingMemory, null);

        DeviceMemory Allocate(PhysicalDevice p, MemoryRequirements r, MemoryPropertyFlags want)
        {
            vk.GetPhysicalDeviceMemoryProperties(p, out var props);
            uint type = Enumerable.Range(0, (int)props.MemoryTypeCount).Select(i => (uint)i)
                .First(i => (r.MemoryTypeBits & (1u << (int)i)) != 0 && (props.MemoryTypes[(int)i].PropertyFlags & want) == want);
            var a = new MemoryAllocateInfo { SType = StructureType.MemoryAllocateInfo, AllocationSize = r.Size, MemoryTypeIndex = type };
            Assert.That(vk.AllocateMemory(device, in a, null, out var m), Is.EqualTo(Result.Success));
            return m;
        }

        void Transition(CommandBuffer c, ImageLayout from, ImageLayout to, AccessFlags src, AccessFlags dst)
        {
            var barrier = new ImageMemoryBarrier
            {
                SType = StructureType.ImageMemoryBarrier, SrcAccessMask = src, DstAccessMask = dst, OldLayout = from, NewLayout = to,
                SrcQueueFamilyIndex = Vk.QueueFamilyIgnored, DstQueueFamilyIndex = Vk.QueueFamilyIgnored, Image = image,
                SubresourceRange = new ImageSubresourceRange(ImageAspectFlags.ColorBit, 0, 1, 0, 1),
            };
            vk.CmdPipelineBarrier(c, PipelineStageFlags.AllCommandsBit, PipelineStageFlags.AllCommandsBit, 0, 0, null, 0, null, 1, in barrier);
        }
    }

    public void Dispose()
    {
        _vk.DestroyImage(_device, Image, null);
        _vk.FreeMemory(_device, _memory, null);
    }
}
