using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Graph;

/// <summary>Builder method for ShuffleNet's channel shuffle.</summary>
internal sealed partial class GraphBuilder
{
    /// <summary>Channel shuffle of <paramref name="x"/> in <paramref name="groups"/> groups (see <see cref="ChannelShuffleOp"/>).</summary>
    public Value ChannelShuffle(string name, Value x, int groups)
    {
        if (groups <= 0 || x.Shape.C % groups != 0)
            Fail(name, "ChannelShuffle", $"groups {groups} must divide the channels of '{x.Name}' ({x.Shape})");
        var y = NewValue(name, "ChannelShuffle", x.Shape);
        Append(new ChannelShuffleOp(name, x, y, groups));
        return y;
    }
}
