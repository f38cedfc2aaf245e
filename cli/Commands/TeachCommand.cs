using System.CommandLine;
using System.Diagnostics;
using GpuMobileNet.Imaging;
using GpuMobileNet.Teach;
using GpuMobileNet.Vulkan;
using Spectre.Console;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn teach dir/ --out head.json: one sub-folder per class, its images the examples. The frozen backbone's
/// pooled features (device preprocessing + one run per image) train a small head (softmax regression or nearest
/// centroid, whichever is more accurate on a held-out fifth); `gmn classify --head head.json` uses it.</summary>
internal static class TeachCommand
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga"];

    public static Command Create()
    {
        var common = new CommonOptions();
        var dir = new Argument<string>("classes") { Description = "folder with one sub-folder of images per class (the folder name is the class)" };
        var output = new Option<string>("--out", "-o") { Description = "where to write the head (JSON)", Required = true };
        var kind = new Option<string>("--kind") { Description = "auto (the better on a held-out fifth), softmax or centroid", DefaultValueFactory = _ => "auto" };
        var onnx = new Option<string?>("--export-onnx") { Description = "also write backbone + head as one ONNX file (labels in FILE.labels.txt beside it)" };
        var tfjs = new Option<string?>("--export-tfjs") { Description = "also write backbone + head as a TF.js layers model into this folder (model.json, weights.bin, labels.txt; softmax heads)" };
        var json = JsonOutput.Create();
        var command = new Command("teach", "train a new classifier head on a model's pooled features") { dir, output, kind, onnx, tfjs, json };
        common.AddTo(command);
        command.SetAction(r =>
        {
            var root = r.GetValue(dir)!;
            if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: folder not found");
            var classes = Directory.GetDirectories(root).Order(StringComparer.Ordinal)
                .Select(d => (Name: Path.GetFileName(d), Files: Directory.GetFiles(d).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToArray()))
                .Where(c => c.Files.Length > 0).ToList();
            if (classes.Count < 2) throw new UsageException($"{root}: needs at least two sub-folders with images (one per class), found {classes.Count}");

            var source = common.Source(r);
            if (r.GetValue(json)) JsonOutput.NotesToStderr();
            var graph = source.Load();
            using var device = CliDevice.Open(r.GetValue(common.Device));
            using var extractor = new FeatureExtractor(graph, device);
            var clock = Stopwatch.StartNew();
            var samples = new List<(float[], int)>();
            int images = classes.Sum(c => c.Files.Length);
            for (int k = 0; k < classes.Count; k++)
                foreach (var file in classes[k].Files)
                {
                    CliProgress.Step(samples.Count + 1, images, $"{classes[k].Name}/{Path.GetFileName(file)}");
                    samples.Add((extractor.Extract(ImageLoader.Load(file)), k));
                }
            CliProgress.Done();
            double extractMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var names = classes.Select(c => c.Name).ToList();
            var requested = r.GetValue(kind);
            var (head, heldOut, confusion) = HeadTrainer.TrainBest(source.Describe(), names, samples, requested == "auto" ? null : requested);
            double trainMs = clock.Elapsed.TotalMilliseconds;
            head.Save(r.GetValue(output)!);
            WriteExports(graph, head, r.GetValue(onnx), r.GetValue(tfjs));
            if (r.GetValue(json))
            {
                JsonOutput.Write(new
                {
                    model = source.Describe(), device = device.ToString(), head = r.GetValue(output), kind = head.Kind,
                    classes = classes.Select(c => new { name = c.Name, samples = c.Files.Length }), heldOutAccuracy = heldOut, confusion,
                    exportOnnx = r.GetValue(onnx), exportTfjs = r.GetValue(tfjs),
                    timings = new { featuresMs = extractMs, trainingMs = trainMs },
                });
                return 0;
            }

            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(source.Describe())} on {Markup.Escape(device.ToString())}: " +
                                   $"{samples.Count} images, features {extractMs:F0} ms, training {trainMs:F0} ms[/]");
            foreach (var (k, acc) in heldOut) AnsiConsole.WriteLine($"held-out accuracy ({k}): {acc:P1}");
            if (confusion is not null)
                AnsiConsole.WriteLine($"held-out confusion ({head.Kind}; rows true, columns predicted): " + string.Join(" | ", confusion.Select(row => string.Join(' ', row))));
            AnsiConsole.WriteLine($"{head.Kind} head for {string.Join(", ", head.Classes)} written to {r.GetValue(output)}");
            return 0;
        });
        return command;
    }

    /// <summary>Backbone + head as one model file: ONNX to <paramref name="onnx"/> (labels beside it), TF.js into <paramref name="tfjs"/>.</summary>
    private static void WriteExports(Graph.ModelGraph graph, TaughtHead head, string? onnx, string? tfjs)
    {
        var labels = TaughtModel.LabelsText(head);
        if (onnx is not null)
        {
            File.WriteAllBytes(onnx, TaughtModel.ToOnnx(graph, head));
            File.WriteAllText(Path.ChangeExtension(onnx, ".labels.txt"), labels);
        }
        if (tfjs is not null)
        {
            var (json, weights) = TaughtModel.ToTfjs(graph, head);
            Directory.CreateDirectory(tfjs);
            File.WriteAllText(Path.Combine(tfjs, "model.json"), json);
            File.WriteAllBytes(Path.Combine(tfjs, GpuMobileNet.Export.Tfjs.TfjsExporter.WeightsFile), weights);
            File.WriteAllText(Path.Combine(tfjs, "labels.txt"), labels);
        }
    }
}
