using System.CommandLine;
using System.Diagnostics;
using GpuMobileNet.Graph;
using GpuMobileNet.Imaging;
using GpuMobileNet.Kernels;
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
        var scale = new Option<float>("--scale") { Description = "pixel values (0-255) are multiplied by this", DefaultValueFactory = _ => 1 / 255f };
        var mean = new Option<string>("--mean") { Description = "per-channel mean subtracted after scaling (R,G,B)", DefaultValueFactory = _ => "0,0,0" };
        var std = new Option<string>("--std") { Description = "per-channel divisor after the mean (R,G,B)", DefaultValueFactory = _ => "1,1,1" };
        var resize = ResizeOption();
        var json = JsonOutput.Create();
        var command = new Command("classify", "classify a photo") { image, labels, top, head, scale, mean, std, resize, json };
        common.AddTo(command);
        command.SetAction(r =>
        {
            var source = common.Source(r) with { SessionFollows = true };
            int k = OptionChecks.InRange(r.GetValue(top), "--top", 1, 100_000);
            var fit = Resize(r.GetValue(resize));
            if (r.GetValue(json)) JsonOutput.NotesToStderr();
            PhaseLog.Enabled = r.GetValue(json); // the phases of a cold start, for the JSON document
            double startupMs = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
            var clock = Stopwatch.StartNew();
            // The pipelines this model needed last time start compiling as soon as the device is open, while the model loads.
            var lastRun = new LastRunPipelines(source.PipelineIdentity());
            var (device, (graph, taught, names, photo)) = CliDevice.OpenWhile(r.GetValue(common.Device),
                () => Inputs(source, r.GetValue(head), r.GetValue(labels), r.GetValue(image)!), lastRun.Start);
            using var _ = device;
            double loadMs = clock.Elapsed.TotalMilliseconds;
            var layout = ImageInput.Of(graph);
            float[] means = Triple(r.GetValue(mean)!, "--mean"), stds = Triple(r.GetValue(std)!, "--std");
            float pixelScale = r.GetValue(scale);
            // Said every time: a model file rarely states its normalisation, and a wrong one still gives an answer.
            AnsiConsole.MarkupLine("[grey]" + Markup.Escape($"input {layout}: (pixel * {pixelScale:G4} - mean [{string.Join(", ", means)}]) / std " +
                                   $"[{string.Join(", ", stds)}] (--scale, --mean, --std), {fit.ToString().ToLowerInvariant()} (--resize)") + "[/]");

            clock.Restart();
            // One GPU run gives the model's scores and, for a taught head, its pooled features too.
            using var model = Session(graph, device, source);
            double prepareMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            if (!layout.Nhwc && layout.Channels == 3)
                // The photo goes to the device as RGBA8 bytes; shaders/preprocess_rgba8.comp resizes and normalises it.
                model.Run(FeatureExtractor.ToRgba(photo), photo.Width, photo.Height, new Rgba8Normalisation(pixelScale, means, stds), fit);
            else // NHWC or RGBA inputs (tf2onnx, Barracuda models): prepared on the host in the model's layout
                model.Run(layout.FromRgb(ImagePreprocessor.ToTensor(FrameFit.Fit(photo, layout.Width, layout.Height, fit), layout.Width, layout.Height, pixelScale, means, stds), 255 * pixelScale));
            var scores = taught is not null ? taught.Predict(model.Features.ToArray()) : model.Scores.ToArray();
            double runMs = clock.Elapsed.TotalMilliseconds;
            lastRun.Remember(device);

            var best = Classifier.TopK(scores, names, Math.Min(k, names.Count));
            if (r.GetValue(json))
            {
                JsonOutput.Write(new
                {
                    model = source.Describe(), device = device.ToString(), image = r.GetValue(image), input = layout.ToString(), resize = fit.ToString().ToLowerInvariant(),
                    top = best.Select(c => new { label = c.Label, score = c.Probability }),
                    timings = new { startupMs, loadAndDeviceMs = loadMs, sessionMs = prepareMs, inferenceMs = runMs },
                    pipelinesFromList = lastRun.Listed, // created from the last run's list as soon as the device opened
                    // Where a cold start's time goes, each phase with its first start since the process's (overlaps show what ran in parallel).
                    phases = PhaseLog.Summary().Select(p => new { name = p.Name, startMs = p.StartMs, ms = p.Ms, times = p.Occurrences })
                        .Prepend(new { name = "runtime start to Main", startMs = 0.0, ms = PhaseLog.MainStartMs ?? 0, times = 1 }),
                });
                return 0;
            }
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(source.Describe())} on {Markup.Escape(device.ToString())}: " +
                                   $"session {prepareMs:F0} ms, inference {runMs:F1} ms[/]");
            var table = new Table().AddColumn("class").AddColumn(new TableColumn("probability").RightAligned());
            foreach (var (label, p) in best)
                table.AddRow(Markup.Escape(label), p.ToString("F4"));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>The model, the taught head if any, the class names and the photo, each checked.</summary>
    private static (ModelGraph Graph, TaughtHead? Taught, IReadOnlyList<string> Names, RgbImage Photo) Inputs(ModelSource source, string? head, string? labels, string image)
    {
        var graph = source.Load();
        var taught = head is not null ? TaughtHead.Load(head) : null;
        var names = taught?.Classes ?? source.Labels(labels) ?? Enumerable.Range(0, graph.Output.Shape.Elements).Select(i => $"class {i}").ToList();
        if (taught is null && names.Count != graph.Output.Shape.Elements)
            throw new ArgumentException($"labels: {names.Count} names but the model has {graph.Output.Shape.Elements} outputs");
        using var phase = PhaseLog.Measure("image decode");
        return (graph, taught, names, ImageLoader.Load(image));
    }

    /// <summary>The model's session. No warm-up run: classify's one run is the first anyway. The import left the check
    /// that every op has a kernel to this session's planning (<see cref="ModelSource.SessionFollows"/>): its refusal names the model.</summary>
    private static FeatureExtractor Session(ModelGraph graph, VulkanDevice device, ModelSource source)
    {
        try
        {
            return new FeatureExtractor(graph, device, new SessionOptions { Warmup = false });
        }
        catch (NotSupportedException e)
        {
            throw new GpuMobileNet.Import.ModelLoadException($"{source.Describe()}: {e.Message}", e);
        }
    }

    /// <summary>--resize stretch|crop|letterbox (classify and detect).</summary>
    public static Option<string> ResizeOption() => new("--resize")
    {
        Description = "fit to the model's aspect: stretch (whole image, distorted), crop (centre crop) or letterbox (black bars)",
        DefaultValueFactory = _ => "stretch",
    };

    public static ResizeMode Resize(string? text) =>
        FrameFit.Parse(text) ?? throw new UsageException($"--resize '{text}': expected stretch, crop or letterbox");

    private static float[] Triple(string text, string option)
    {
        var parts = text.Split(',');
        var values = new float[3];
        if (parts.Length != 3 || !parts.Select((p, i) => float.TryParse(p, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[i])).All(ok => ok))
            throw new UsageException($"{option} '{text}': expected three comma-separated numbers (R,G,B)");
        return values;
    }
}
