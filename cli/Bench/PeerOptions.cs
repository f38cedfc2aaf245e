using System.CommandLine;

namespace GpuMobileNet.Cli.Bench;

/// <summary>The options of `gmn bench --peer ncnn` and `gmn zoo --peer ncnn`: which peer, where its benchncnn is, how
/// many interleaved rounds, which of its Vulkan devices.</summary>
internal sealed class PeerOptions
{
    public Option<string?> Peer { get; } = new("--peer") { Description = "also run a peer engine on the same model, interleaved round by round: ncnn (its benchncnn, Vulkan and CPU)" };
    public Option<string?> PeerPath { get; } = new("--peer-path") { Description = "benchncnn, or a wrapper run as `WRAPPER benchncnn ARGS` (default: benchncnn on PATH)" };
    public Option<int> Rounds { get; } = new("--rounds") { Description = "with --peer: interleaved rounds (each: ours, ncnn Vulkan, ncnn CPU)", DefaultValueFactory = _ => 3 };
    public Option<int> PeerGpu { get; } = new("--peer-gpu") { Description = "with --peer: ncnn's Vulkan device index (0: its first)", DefaultValueFactory = _ => 0 };

    public void AddTo(Command command)
    {
        command.Add(Peer);
        command.Add(PeerPath);
        command.Add(Rounds);
        command.Add(PeerGpu);
    }

    /// <summary>The peer settings, or null without --peer; every value checked before any work.</summary>
    public PeerSettings? Settings(ParseResult r)
    {
        if (r.GetValue(Peer) is not { } peer) return null;
        if (peer != "ncnn") throw new UsageException($"--peer '{peer}': the only peer is ncnn");
        return new PeerSettings(NcnnPeer.Locate(r.GetValue(PeerPath)), OptionChecks.InRange(r.GetValue(Rounds), "--rounds", 1, 1000),
            OptionChecks.InRange(r.GetValue(PeerGpu), "--peer-gpu", 0, 64));
    }
}

/// <summary>What --peer asks for: the located benchncnn, the rounds and ncnn's Vulkan device.</summary>
internal sealed record PeerSettings(NcnnPeer Ncnn, int Rounds, int Gpu);
