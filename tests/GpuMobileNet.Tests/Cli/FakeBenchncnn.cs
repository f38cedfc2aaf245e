namespace GpuMobileNet.Tests.Cli;

/// <summary>A stand-in for benchncnn, written by the test: logs each call (working folder, whether it came through a
/// `run`-style wrapper, its arguments) and prints benchncnn's lines on stderr with fixed times: 20 ms on Vulkan, 5 ms on
/// the CPU path (GPU -1), so the ratios a command prints can be checked exactly.</summary>
internal sealed class FakeBenchncnn
{
    public const double VulkanMs = 20, CpuMs = 5;

    private const string Script = """
        #!/bin/bash
        via=direct
        if [ "$1" = benchncnn ]; then via=wrapper; shift; fi
        echo "$PWD $via $*" >> "$(dirname "$0")/calls.log"
        [ "$4" = -1 ] && avg=5.00 || { avg=20.00; echo "[0 fake gpu (test)]  queueC=0[1]  queueT=0[1]" >&2; }
        echo "loop_count = $1" >&2
        printf '%20s  min = %7.2f  max = %7.2f  avg = %7.2f\n' "${6#param=}" $avg $avg $avg >&2
        """;

    /// <param name="folder">Where to write it.</param>
    /// <param name="name">"benchncnn" (called directly) or e.g. "run" (called as `run benchncnn ARGS`).</param>
    public FakeBenchncnn(string folder, string name)
    {
        Path = System.IO.Path.Combine(folder, name);
        File.WriteAllText(Path, Script.Replace("\r", ""));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Path { get; }

    /// <summary>One line per call: folder, "direct" or "wrapper", then benchncnn's arguments.</summary>
    public string[] Calls
    {
        get
        {
            var log = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "calls.log");
            return File.Exists(log) ? File.ReadAllLines(log) : [];
        }
    }
}
