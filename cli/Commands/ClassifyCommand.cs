using System.CommandLine;
using System.Diagnostics;
using GpuMobileNet.Graph;
using GpuMobileNet.Imaging;
using GpuMobileNet.Teach;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;
using Spectre.Console;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn classify photo.png: decode, resize + normalise, run on the GPU, print the top classes.</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var image = new Argument<string>("image") { Description = "photo to classify (PNG, JPEG, BMP, ...)" };
        var labels = new Option<string?>("--labels") { Description = "text file with one class name per line" };
        var top = new Option<int>("--top", "-k") { Description = "how many classes to print", DefaultValueFactory = _ => 5 };
        var head = new Option<string?>("--head") { Description = "a head trained by `gmn teach` (JSON): classify into its classes" };
        var command = new Command("classify", "classify a photo") { image, labels, top, head };
        common.AddTo(command);
        command.SetAction(r =>
        {
            var source = common.Source(r);
            int k = OptionChecks.InRange(r.GetValue(top), "--top", 1, 100_000);
            var graph = source.Load();
            var taught = r.GetValue(head) is { } headPath ? TaughtHead.Load(headPath) : null;
            var names = taught?.Classes ?? source.Labels(r.GetValue(labels)) ?? Enumerable.Range(0, graph.Output.Shape.Elements).Select(i => $"class {i}").ToList();
            if (taught is null && names.Count != graph.Output.Shape.Elements)
                throw new ArgumentException($"labels: {names.Count} names but the model has {graph.Output.Shape.Elements} outputs");
            if (taught is not null) graph = GraphCut.Before(graph, GraphCut.Features(graph)); // the head reads the pooled features
            var photo = ImageLoader.Load(r.GetValue(image)!);

            using var device = CliDevice.Open(r.GetValue(common.Device));
            var clock = Stopwatch.StartNew();
            using var session = InferenceSession.Create(graph, device);
            double prepareMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            // The photo goes to the device as RGBA8 bytes; shaders/preprocess_rgba8.comp resizes and normalises it.
            var scores = new float[session.OutputLength];
            session.RunRgba8(FeatureExtractor.ToRgba(photo), photo.Width, photo.Height, scores);
            if (taught is not null) scores = taught.Predict(scores);
            double runMs = clock.Elapsed.TotalMilliseconds;

            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(source.Describe())} on {Markup.Escape(device.ToString())}: " +
                                   $"session {prepareMs:F0} ms, inference {runMs:F1} ms[/]");
            var table = new Table().AddColumn("class").AddColumn(new TableColumn("probability").RightAligned());
            foreach (var (label, p) in Classifier.TopK(scores, names, Math.Min(k, names.Count)))
                table.AddRow(Markup.Escape(label), p.ToString("F4"));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
