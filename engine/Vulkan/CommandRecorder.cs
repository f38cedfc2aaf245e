using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

/// <summary>Records a session's whole run into one command buffer, once, for replay on every run.
/// Barriers come from tracked accesses: a dispatch gets a barrier only when it reads or overwrites
/// bytes of the arena that an earlier dispatch since the last barrier wrote (or, for writes, read).
/// With profiling on, a timestamp follows every dispatch.</summary>
internal sealed unsafe class CommandRecorder : IDisposable
{
    private readonly VulkanDevice _device;
    private readonly CommandPool _pool;
    private readonly QueryPool _queries;
    private readonly int _maxTimestamps;
    private readonly bool _perDispatch;
    private readonly ulong[] _ticks = [];
    private readonly List<ByteRange> _pendingWrites = [];
    private readonly List<ByteRange> _pendingReads = [];
    private readonly List<string> _labels = [];
    private Pipeline _boundPipeline;
    private (uint, uint) _boundWindows;
    private bool _setBound;
    private DescriptorSet _boundSet;
    private int _timestamps;

    public CommandBuffer Buffer { get; }
    /// <summary>Signalled when a submission of <see cref="Buffer"/> completes: each session waits on its own.</summary>
    public Fence Fence { get; }
    public int BarrierCount { get; private set; }
    public int DispatchCount { get; private set; }
    public bool Profiling => _perDispatch;

    /// <param name="profiling">A timestamp after every dispatch (<see cref="ReadTimings"/>).</param>
    /// <param name="stageMarks">Otherwise, room for this many <see cref="MarkStage"/> timestamps (stage times at a few
    /// queries' cost, <see cref="ReadStageMilliseconds"/>); none where the device has no timestamps.</param>
    public CommandRecorder(VulkanDevice device, int maxDispatches, bool profiling, int stageMarks = 0)
    {
        _device = device;
        var vk = device.Vk;
        var poolInfo = new CommandPoolCreateInfo { SType = StructureType.CommandPoolCreateInfo, QueueFamilyIndex = device.QueueFamily };
        VulkanException.Check(vk.CreateCommandPool(device.Handle, in poolInfo, null, out _pool), "vkCreateCommandPool");
        var alloc = new CommandBufferAllocateInfo
        {
            SType = StructureType.CommandBufferAllocateInfo, CommandPool = _pool, Level = CommandBufferLevel.Primary, CommandBufferCount = 1,
        };
        VulkanException.Check(vk.AllocateCommandBuffers(device.Handle, in alloc, out var cb), "vkAllocateCommandBuffers");
        Buffer = cb;
        device.CountObject();
        device.CountObject();
        Fence = device.CreateFence();
        device.CountObject();
        if ((profiling || stageMarks > 0) && device.SupportsTimestamps)
        {
            _perDispatch = profiling;
            _maxTimestamps = profiling ? maxDispatches + 1 : stageMarks;
            _ticks = new ulong[_maxTimestamps];
            var q = new QueryPoolCreateInfo { SType = StructureType.QueryPoolCreateInfo, QueryType = QueryType.Timestamp, QueryCount = (uint)_maxTimestamps };
            VulkanException.Check(vk.CreateQueryPool(device.Handle, in q, null, out _queries), "vkCreateQueryPool");
            device.CountObject();
        }
    }

    public void Begin()
    {
        var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo };
        VulkanException.Check(_device.Vk.BeginCommandBuffer(Buffer, in begin), "vkBeginCommandBuffer");
        _timestamps = 0;
        if (_maxTimestamps > 0) _device.Vk.CmdResetQueryPool(Buffer, _queries, 0, (uint)_maxTimestamps);
        if (Profiling) WriteTimestamp(PipelineStageFlags.TopOfPipeBit);
    }

    /// <summary>A stage timestamp (after all work recorded so far), where this recorder keeps stage marks.</summary>
    public void MarkStage()
    {
        if (_maxTimestamps > 0 && !_perDispatch) WriteTimestamp(PipelineStageFlags.BottomOfPipeBit);
    }

    /// <summary>Milliseconds between consecutive <see cref="MarkStage"/> timestamps of the last run into
    /// <paramref name="intervals"/> (zeros where there are none). Allocation-free.</summary>
    public void ReadStageMilliseconds(Span<double> intervals)
    {
        intervals.Clear();
        if (_perDispatch || _timestamps < 2) return;
        fixed (ulong* p = _ticks)
            VulkanException.Check(_device.Vk.GetQueryPoolResults(_device.Handle, _queries, 0, (uint)_timestamps,
                (nuint)(_timestamps * 8), p, 8, QueryResultFlags.Result64Bit | QueryResultFlags.ResultWaitBit), "vkGetQueryPoolResults");
        for (int i = 0; i + 1 < _timestamps && i < intervals.Length; i++)
            intervals[i] = (_ticks[i + 1] - _ticks[i]) * _device.TimestampPeriodNs / 1e6;
    }

    /// <summary>Copies bytes between buffers (staging in/out on devices without host-visible device memory),
    /// fenced by full barriers on both sides since copies are rare and outside the hot loop of dispatches.</summary>
    public void Copy(GpuBuffer src, ulong srcOffset, GpuBuffer dst, ulong dstOffset, ulong bytes)
    {
        FullBarrier();
        var region = new BufferCopy(srcOffset, dstOffset, bytes);
        _device.Vk.CmdCopyBuffer(Buffer, src.Handle, dst.Handle, 1, in region);
        FullBarrier();
    }

    /// <summary>Copies from a buffer the host owns (an IoBinding's input) into <paramref name="dst"/>. The barrier before it
    /// waits for every earlier command on the queue (any stage) and makes their memory writes visible to the copy, so the
    /// host may have written the buffer with any kind of work submitted before this run (or signalled a semaphore after it).</summary>
    public void CopyFromHostBuffer(Silk.NET.Vulkan.Buffer src, ulong srcOffset, GpuBuffer dst, ulong dstOffset, ulong bytes)
    {
        HostBufferBarrier(PipelineStageFlags.AllCommandsBit, AccessFlags.MemoryWriteBit, PipelineStageFlags.TransferBit,
            AccessFlags.TransferReadBit | AccessFlags.TransferWriteBit);
        var region = new BufferCopy(srcOffset, dstOffset, bytes);
        _device.Vk.CmdCopyBuffer(Buffer, src, dst.Handle, 1, in region);
        FullBarrier();
    }

    /// <summary>Copies activations into a buffer the host owns (an IoBinding's output). The barrier before it orders the
    /// copy after every earlier command (the dispatches' writes, and the host's earlier reads of its buffer); the one after
    /// it makes the copy visible to any later command of any stage, so the host's next work on the queue can read it.</summary>
    public void CopyToHostBuffer(GpuBuffer src, ulong srcOffset, Silk.NET.Vulkan.Buffer dst, ulong dstOffset, ulong bytes)
    {
        HostBufferBarrier(PipelineStageFlags.AllCommandsBit, AccessFlags.MemoryWriteBit, PipelineStageFlags.TransferBit,
            AccessFlags.TransferReadBit | AccessFlags.TransferWriteBit);
        var region = new BufferCopy(srcOffset, dstOffset, bytes);
        _device.Vk.CmdCopyBuffer(Buffer, src.Handle, dst, 1, in region);
        HostBufferBarrier(PipelineStageFlags.TransferBit, AccessFlags.TransferWriteBit, PipelineStageFlags.AllCommandsBit,
            AccessFlags.MemoryReadBit | AccessFlags.MemoryWriteBit);
    }

    private void HostBufferBarrier(PipelineStageFlags srcStages, AccessFlags srcAccess, PipelineStageFlags dstStages, AccessFlags dstAccess)
    {
        var barrier = new MemoryBarrier { SType = StructureType.MemoryBarrier, SrcAccessMask = srcAccess, DstAccessMask = dstAccess };
        _device.Vk.CmdPipelineBarrier(Buffer, srcStages, dstStages, 0, 1, in barrier, 0, null, 0, null);
        _pendingReads.Clear();
        _pendingWrites.Clear();
    }

    /// <summary>Copies mip 0, layer 0 of a host's colour image (4 bytes per texel) into <paramref name="dst"/> at
    /// <paramref name="dstOffset"/>, tightly packed rows. The image goes to TRANSFER_SRC_OPTIMAL for the copy and back to
    /// <paramref name="layout"/> after it; full barriers make the host's earlier writes visible to the copy and the copy
    /// visible to the dispatches that follow.</summary>
    public void CopyImageToBuffer(Image image, ImageLayout layout, uint width, uint height, GpuBuffer dst, ulong dstOffset)
    {
        var range = new ImageSubresourceRange(ImageAspectFlags.ColorBit, 0, 1, 0, 1);
        var toSource = new ImageMemoryBarrier
        {
            SType = StructureType.ImageMemoryBarrier, SrcAccessMask = AccessFlags.MemoryWriteBit, DstAccessMask = AccessFlags.TransferReadBit,
            OldLayout = layout, NewLayout = ImageLayout.TransferSrcOptimal, SrcQueueFamilyIndex = Vk.QueueFamilyIgnored,
            DstQueueFamilyIndex = Vk.QueueFamilyIgnored, Image = image, SubresourceRange = range,
        };
        _device.Vk.CmdPipelineBarrier(Buffer, PipelineStageFlags.AllCommandsBit, PipelineStageFlags.TransferBit, 0, 0, null, 0, null, 1, in toSource);
        var region = new BufferImageCopy
        {
            BufferOffset = dstOffset, ImageSubresource = new ImageSubresourceLayers(ImageAspectFlags.ColorBit, 0, 0, 1),
            ImageExtent = new Extent3D(width, height, 1),
        };
        _device.Vk.CmdCopyImageToBuffer(Buffer, image, ImageLayout.TransferSrcOptimal, dst.Handle, 1, in region);
        var back = toSource with
        {
            SrcAccessMask = AccessFlags.TransferReadBit, DstAccessMask = AccessFlags.MemoryReadBit | AccessFlags.MemoryWriteBit,
            OldLayout = ImageLayout.TransferSrcOptimal, NewLayout = layout,
        };
        _device.Vk.CmdPipelineBarrier(Buffer, PipelineStageFlags.TransferBit, PipelineStageFlags.AllCommandsBit, 0, 0, null, 0, null, 1, in back);
        FullBarrier();
    }

    public void Dispatch(Pipeline pipeline, PipelineLayout layout, DescriptorSet set, ReadOnlySpan<uint> pushConstants,
        (uint X, uint Y, uint Z) groups, IReadOnlyList<ByteRange> reads, IReadOnlyList<ByteRange> writes, string label, uint window0 = 0, uint window1 = 0)
    {
        bool hazard = reads.Any(r => _pendingWrites.Any(r.Overlaps)) ||
                      writes.Any(w => _pendingWrites.Any(w.Overlaps) || _pendingReads.Any(w.Overlaps));
        if (hazard) ComputeBarrier();
        _pendingReads.AddRange(reads);
        _pendingWrites.AddRange(writes);

        var vk = _device.Vk;
        if (pipeline.Handle != _boundPipeline.Handle)
        {
            vk.CmdBindPipeline(Buffer, PipelineBindPoint.Compute, pipeline);
            _boundPipeline = pipeline;
        }
        if (_boundWindows != (window0, window1) || !_setBound || set.Handle != _boundSet.Handle)
        {
            var offsets = stackalloc uint[] { window0, window1 };
            vk.CmdBindDescriptorSets(Buffer, PipelineBindPoint.Compute, layout, 0, 1, in set, PipelineLibrary.UniformWindowCount, offsets);
            _boundWindows = (window0, window1);
            _setBound = true;
            _boundSet = set;
        }
        Span<uint> pc = stackalloc uint[PipelineLibrary.PushConstantBytes / 4];
        pushConstants.CopyTo(pc);
        fixed (uint* p = pc)
            vk.CmdPushConstants(Buffer, layout, ShaderStageFlags.ComputeBit, 0, PipelineLibrary.PushConstantBytes, p);
        RecordGrid(groups, label);
        DispatchCount++;
        _labels.Add(label);
        if (Profiling) WriteTimestamp(PipelineStageFlags.ComputeShaderBit);
    }

    /// <summary>One vkCmdDispatch, or, where the grid exceeds the device's maxComputeWorkGroupCount in some dimension,
    /// pieces of at most that many workgroups recorded with vkCmdDispatchBase: a piece's gl_WorkGroupID (and so
    /// gl_GlobalInvocationID) starts at its base, so the kernels see the grid they were planned for. The pieces write
    /// disjoint outputs and need no barrier between them.</summary>
    private void RecordGrid((uint X, uint Y, uint Z) groups, string label)
    {
        var max = _device.ResourceLimits.MaxWorkGroupCount;
        if (groups.X <= max.X && groups.Y <= max.Y && groups.Z <= max.Z)
        {
            _device.Vk.CmdDispatch(Buffer, groups.X, groups.Y, groups.Z);
            return;
        }
        if (!_device.SupportsDispatchBase)
            throw new DeviceLimitException($"{label}: a grid of {groups.X}x{groups.Y}x{groups.Z} workgroups exceeds the device's " +
                $"maxComputeWorkGroupCount ({max.X}x{max.Y}x{max.Z}) and '{_device.Name}' has no vkCmdDispatchBase (Vulkan 1.1) to split it");
        for (uint z = 0; z < groups.Z; z += max.Z)
        for (uint y = 0; y < groups.Y; y += max.Y)
        for (uint x = 0; x < groups.X; x += max.X)
            _device.Vk.CmdDispatchBase(Buffer, x, y, z, Math.Min(max.X, groups.X - x), Math.Min(max.Y, groups.Y - y), Math.Min(max.Z, groups.Z - z));
    }

    public void End()
    {
        FullBarrier(); // results visible to the host (and to the next replay's writes)
        VulkanException.Check(_device.Vk.EndCommandBuffer(Buffer), "vkEndCommandBuffer");
    }

    /// <summary>GPU time of each dispatch of the last run, in recording order (empty when not profiling).</summary>
    public IReadOnlyList<(string Label, double Milliseconds)> ReadTimings()
    {
        if (!Profiling || _timestamps < 2) return [];
        var ticks = new ulong[_timestamps];
        fixed (ulong* p = ticks)
            VulkanException.Check(_device.Vk.GetQueryPoolResults(_device.Handle, _queries, 0, (uint)_timestamps,
                (nuint)(ticks.Length * 8), p, 8, QueryResultFlags.Result64Bit | QueryResultFlags.ResultWaitBit), "vkGetQueryPoolResults");
        var result = new List<(string, double)>(_labels.Count);
        for (int i = 0; i < _labels.Count; i++)
            result.Add((_labels[i], (ticks[i + 1] - ticks[i]) * _device.TimestampPeriodNs / 1e6));
        return result;
    }

    private void WriteTimestamp(PipelineStageFlags stage) =>
        _device.Vk.CmdWriteTimestamp(Buffer, stage, _queries, (uint)_timestamps++);

    private void ComputeBarrier()
    {
        var barrier = new MemoryBarrier
        {
            SType = StructureType.MemoryBarrier,
            SrcAccessMask = AccessFlags.ShaderWriteBit,
            DstAccessMask = AccessFlags.ShaderReadBit | AccessFlags.ShaderWriteBit,
        };
        _device.Vk.CmdPipelineBarrier(Buffer, PipelineStageFlags.ComputeShaderBit, PipelineStageFlags.ComputeShaderBit,
            0, 1, in barrier, 0, null, 0, null);
        BarrierCount++;
        _pendingReads.Clear();
        _pendingWrites.Clear();
    }

    private void FullBarrier()
    {
        var barrier = new MemoryBarrier
        {
            SType = StructureType.MemoryBarrier,
            SrcAccessMask = AccessFlags.ShaderWriteBit | AccessFlags.TransferWriteBit | AccessFlags.HostWriteBit,
            DstAccessMask = AccessFlags.ShaderReadBit | AccessFlags.ShaderWriteBit | AccessFlags.TransferReadBit |
                            AccessFlags.TransferWriteBit | AccessFlags.HostReadBit,
        };
        var stages = PipelineStageFlags.ComputeShaderBit | PipelineStageFlags.TransferBit | PipelineStageFlags.HostBit;
        _device.Vk.CmdPipelineBarrier(Buffer, stages, stages, 0, 1, in barrier, 0, null, 0, null);
        _pendingReads.Clear();
        _pendingWrites.Clear();
    }

    public void Dispose()
    {
        _device.Vk.DestroyFence(_device.Handle, Fence, null);
        if (_maxTimestamps > 0) _device.Vk.DestroyQueryPool(_device.Handle, _queries, null);
        _device.Vk.DestroyCommandPool(_device.Handle, _pool, null);
    }
}
