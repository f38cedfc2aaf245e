using System.CommandLine;
using GpuMobileNet.Graph;
using GpuMobileNet.Import.Onnx;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using Spectre.Console;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn inspect: parameters and multiply-adds, per layer and in total; with --memory, the activation memory plan.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var layers = new Option<bool>("--layers") { Description = "print every layer" };
        var fused = new Option<bool>("--fused") { Description = "show the graph after the passes (what the device runs)" };
        var target = new Option<string>("--for")
        {
            Description = "which defaults --fused and --memory apply: gpu (blocks fused, NCHW) or cpu (no block fusion, NC4HW4), as a session on that kind of device",
            DefaultValueFactory = _ => "gpu",
        };
        var memory = new Option<bool>("--memory") { Description = "activation memory per layer: naive sum, planned arena, theoretical minimum" };
        var batch = new Option<int>("--batch") { Description = "batch size for --memory", DefaultValueFactory = _ => 1 };
        var json = JsonOutput.Create();
        var command = new Command("inspect", "print a model's parameters, multiply-adds and memory plan") { layers, fused, target, memory, batch, json };
        common.AddTo(command);
        command.SetAction(r =>
        {
            var source = common.Source(r);
            OptionChecks.Batch(r.GetValue(batch));
            var passes = r.GetValue(target) switch
            {
                "gpu" => new PassOptions().ResolveFor(cpuDevice: false),
                "cpu" => new PassOptions().ResolveFor(cpuDevice: true),
                var other => throw new UsageException($"--for '{other}': expected gpu or cpu"),
            };
            bool asJson = r.GetValue(json);
            if (source.OnnxPath is { } file && source.InputSize is null && OnnxImporter.Signature(file) is var signature
                && signature.Inputs.Any(v => v.IsDynamic))
                return InspectReport.Dynamic(file, signature, asJson);
            var graph = source.Load();
            var original = graph;
            if (r.GetValue(fused)) graph = PassPipeline.Apply(graph, passes);
            var stats = GraphStats.Compute(graph);
            if (asJson)
            {
                var memoryRows = r.GetValue(memory) ? MemoryTable.Document(original, r.GetValue(batch), passes) : null;
                JsonOutput.Write(InspectReport.Document(source, graph, stats, r.GetValue(layers), memoryRows));
                return 0;
            }
            if (r.GetValue(memory)) MemoryTable.Print(original, r.GetValue(batch), passes);
            if (r.GetValue(layers))
            {
                var table = new Table().AddColumns("layer", "op", "output").AddColumn(new TableColumn("params").RightAligned())
                    .AddColumn(new TableColumn("MACs").RightAligned());
                foreach (var (n, node) in stats.Nodes.Zip(graph.Nodes))
                    table.AddRow(Markup.Escape(n.Name), n.OpType, n.OutputShape + (node.Output.Layout == TensorLayout.Nchw ? "" : $" {node.Output.Layout}"),
                        n.Params.ToString("N0"), n.MultiplyAdds.ToString("N0"));
                AnsiConsole.Write(table);
            }
            Console.WriteLine($"model:          {source.Describe()}");
            foreach (var warning in source.LoadWarnings) Console.WriteLine($"load warning:   {warning}");
            Console.WriteLine($"input:          {graph.Input.Shape}   output: {graph.Output.Shape}   ops: {graph.Nodes.Count}");
            if (graph.ExtraInputs.Count > 0)
                Console.WriteLine($"inputs:         {string.Join(", ", graph.Inputs.Select(v => $"{v.Name} {v.Shape}"))}");
            if (graph.ExtraOutputs.Count > 0)
                Console.WriteLine($"outputs:        {string.Join(", ", graph.Outputs.Select(v => $"{v.Name} {v.Shape}"))}");
            if (source.OnnxPath is { } onnx)
            {
                Console.WriteLine($"image input:    {Imaging.ImageInput.Of(graph)}");
                Console.WriteLine($"ONNX ops:       {string.Join(", ", OnnxImporter.OpCounts(onnx).Select(p => $"{p.Key} {p.Value}"))}");
            }
            var paper = InspectReport.Paper(source);
            Console.WriteLine($"parameters:     {stats.Params:N0}" + (paper?.PaperParamsM is { } p ? $"   (paper: {p} M)" : ""));
            Console.WriteLine($"multiply-adds:  {stats.MultiplyAdds:N0} ({stats.MultiplyAdds / 1e6:F1} M)" +
                (paper?.PaperMultiplyAddsM is { } m ? $"   (paper: {m} M)" : ""));
            return 0;
        });
        return command;
    }
}
