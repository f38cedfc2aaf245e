using System.CommandLine;
using GpuMobileNet.Import.Onnx.Conformance;
using GpuMobileNet.Vulkan;
using Spectre.Console;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn conformance: the ONNX backend node tests through the importer and the GPU, pass/total per op.</summary>
internal static class ConformanceCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "folder of node test cases", DefaultValueFactory = _ => ConformanceRunner.DefaultDataDir };
        var filter = new Option<string?>("--filter") { Description = "only cases whose name contains this" };
        var all = new Option<bool>("--all") { Description = "list every op, not only the claimed ones" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "print each case that did not pass, with its message" };
        var device = new Option<string?>("--device") { Description = "Vulkan device index or name" };
        var command = new Command("conformance", "run the ONNX backend node tests (libonnx-testdata) on the GPU") { data, filter, all, verbose, device };
        command.SetAction(r =>
        {
            using var gpu = CliDevice.Open(r.GetValue(device));
            string? contains = r.GetValue(filter);
            var cases = ConformanceRunner.RunAll(gpu, r.GetValue(data)!, contains is null ? null : n => n.Contains(contains, StringComparison.Ordinal),
                CliProgress.Step);
            CliProgress.Done();
            var table = new Table().AddColumns("op", "claimed").AddColumn(new TableColumn("passed").RightAligned())
                .AddColumn(new TableColumn("cases").RightAligned()).AddColumn("refused (first reason)");
            foreach (var group in cases.GroupBy(c => c.Op).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                bool claimed = ConformanceRunner.ClaimedOps.Contains(group.Key);
                if (!claimed && !r.GetValue(all)) continue;
                var firstRefusal = group.FirstOrDefault(c => c.Status != ConformanceStatus.Passed);
                table.AddRow(group.Key, claimed ? "yes" : "", group.Count(c => c.Status == ConformanceStatus.Passed).ToString(), group.Count().ToString(),
                    Markup.Escape(firstRefusal is null ? "" : Shorten(firstRefusal)));
            }
            AnsiConsole.Write(table);
            if (r.GetValue(verbose))
                foreach (var c in cases.Where(c => c.Status != ConformanceStatus.Passed && (c.Claimed || r.GetValue(all))))
                    Console.WriteLine($"{c.Name}: {c.Status}: {c.Message}");
            var claimedCases = cases.Where(c => c.Claimed).ToList();
            Console.WriteLine($"claimed ops: {claimedCases.Count(c => c.Status == ConformanceStatus.Passed)}/{claimedCases.Count} cases pass; " +
                              $"overall {cases.Count(c => c.Status == ConformanceStatus.Passed)}/{cases.Count}; " +
                              $"wrong answers {cases.Count(c => c.Status == ConformanceStatus.Mismatch)}, crashes {cases.Count(c => c.Status == ConformanceStatus.Crashed)}");
            return cases.Any(c => c.Status is ConformanceStatus.Mismatch or ConformanceStatus.Crashed) ? 1 : 0;
        });
        return command;
    }

    private static string Shorten(ConformanceCase c)
    {
        string m = c.Message;
        int at = m.IndexOf("): ", StringComparison.Ordinal);
        m = at >= 0 ? m[(at + 3)..] : m[(m.IndexOf(": ", StringComparison.Ordinal) + 2)..];
        return $"{c.Status} {c.Name[5..]}: {(m.Length > 70 ? m[..70] + "..." : m)}";
    }
}
