using GpuMobileNet.Graph;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using Spectre.Console;

namespace GpuMobileNet.Cli.Commands;

/// <summary>inspect --memory: the activation memory of the graph the GPU runs (after the passes), planned the way
/// a session plans it, per layer and against the naive sum and the theoretical minimum.</summary>
internal static class MemoryTable
{
    /// <summary>The graph after the passes and its activation memory plan at <paramref name="batch"/>.</summary>
    public static (ModelGraph Graph, MemoryReport Report) Plan(ModelGraph original, int batch, PassOptions passes)
    {
        var graph = PassPipeline.Apply(original, passes);
        // Kernels' scratch (Winograd tiles) with the default kernels, fp32, as a session plans it.
        long Scratch(Node n) => Kernels.KernelSelector.ScratchElements(n, new Kernels.KernelChoice(), 4);
        return (graph, MemoryReport.Create(graph, ReusePlanner.Plan(graph, batch, InPlacePolicy.Default, Scratch)));
    }

    /// <summary>inspect --memory --json: the same figures and rows as the table.</summary>
    public static object Document(ModelGraph original, int batch, PassOptions passes)
    {
        var (graph, report) = Plan(original, batch, passes);
        return new
        {
            batch, opsAfterPasses = graph.Nodes.Count, naiveBytes = report.NaiveBytes, plannedBytes = report.PlannedBytes,
            theoreticalMinimumBytes = report.TheoreticalMinimumBytes,
            layers = report.Layers.Select(l => new
            {
                step = l.Step, name = l.Name, op = l.OpType, output = l.OutputShape.ToString(), outputBytes = l.OutputBytes,
                offsetBytes = l.OutputOffsetBytes, inPlace = l.SharesInput, liveBytes = l.LiveBytes,
            }),
        };
    }

    public static void Print(ModelGraph original, int batch, PassOptions passes)
    {
        var (graph, report) = Plan(original, batch, passes);
        var table = new Table().AddColumns("#", "layer", "op", "output")
            .AddColumn(new TableColumn("output bytes").RightAligned()).AddColumn(new TableColumn("offset").RightAligned())
            .AddColumn(new TableColumn("in place").Centered()).AddColumn(new TableColumn("live bytes").RightAligned());
        foreach (var l in report.Layers)
            table.AddRow(l.Step.ToString(), Markup.Escape(l.Name), l.OpType, l.OutputShape.ToString(), l.OutputBytes.ToString("N0"),
                l.OutputOffsetBytes.ToString("N0"), l.SharesInput ? "yes" : "", l.LiveBytes.ToString("N0"));
        AnsiConsole.Write(table);

        // Exact byte counts on fixed labels, so scripts (and our tests) can read them back.
        Console.WriteLine($"activation memory, batch {batch}, graph after passes ({graph.Nodes.Count} ops):");
        Console.WriteLine($"  naive (every tensor its own):   {report.NaiveBytes,14:N0} bytes  {Mb(report.NaiveBytes),9:F2} MB");
        Console.WriteLine($"  planned arena:                  {report.PlannedBytes,14:N0} bytes  {Mb(report.PlannedBytes),9:F2} MB  " +
                          $"({report.NaiveOverPlanned:F2}x smaller than naive)");
        Console.WriteLine($"  theoretical minimum (peak live): {report.TheoreticalMinimumBytes,13:N0} bytes  {Mb(report.TheoreticalMinimumBytes),9:F2} MB  " +
                          $"(planned / minimum = {report.PlannedOverMinimum:F3})");
    }

    private static double Mb(long bytes) => bytes / (1024.0 * 1024.0);
}
