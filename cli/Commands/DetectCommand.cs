using System.CommandLine;
using GpuMobileNet.Detection;
using GpuMobileNet.Imaging;
using GpuMobileNet.Import;
using Spectre.Console;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn detect photo.jpg: an SSD (.tflite) on the GPU, decoding and NMS on the host, the detections printed
/// and optionally drawn on a PNG.</summary>
internal static class DetectCommand
{
    public const string DefaultModelRelative = "models/cache/objectron/object_detection_ssd_mobilenetv2_oidv4_fp16.tflite";
    public const string DefaultLabelsRelative = "models/cache/objectron/object_detection_oidv4_labelmap.txt";

    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "photo to search (PNG, JPEG, BMP, ...)" };
        var model = new Option<string?>("--model", "-m") { Description = "SSD .tflite, or an ncnn detector .param (YOLO or SSD output layers) (default: MediaPipe's objectron SSD-MobileNetV2, fetched by scripts/setup)" };
        var weights = new Option<string?>("--weights") { Description = "with an ncnn .param: its .bin (default: the .bin beside it, else seeded random weights)" };
        var labels = new Option<string?>("--labels") { Description = "label map, one class per line (default: the objectron label map)" };
        var output = new Option<string?>("--out", "-o") { Description = "write the photo with boxes and labels to this PNG" };
        var threshold = new Option<float>("--threshold") { Description = "minimum score (0-1)", DefaultValueFactory = _ => SsdDecoderOptions.ObjectronSsdMobileNetV2.MinScore };
        var device = new Option<string?>("--device") { Description = "Vulkan device index or name (default: GMN_DEVICE, else the best GPU, else CPU)" };
        var resize = ClassifyCommand.ResizeOption();
        var json = JsonOutput.Create();
        var command = new Command("detect", "detect objects in a photo (SSD)") { image, model, weights, labels, output, threshold, device, resize, json };
        command.SetAction(r =>
        {
            float minScore = r.GetValue(threshold);
            if (!(minScore >= 0 && minScore <= 1)) throw new UsageException($"--threshold {minScore}: expected a score from 0 to 1");
            string modelPath = r.GetValue(model) ?? Fetched(DefaultModelRelative);
            if (r.GetValue(json)) JsonOutput.NotesToStderr();
            bool ncnn = ModelImporter.FormatOf(modelPath).Name == "ncnn .param";
            if (!ncnn && r.GetValue(weights) is not null) throw new UsageException("--weights: only an ncnn .param model takes a separate weights file");
            // ncnn detectors number their classes; without a label map the ids are printed.
            var labelFile = r.GetValue(labels) ?? (r.GetValue(model) is null ? Fetched(DefaultLabelsRelative)
                : ncnn ? null : throw new UsageException("--labels: give the label map of --model"));
            var names = labelFile is null ? null : Labels.LoadLabels(labelFile);
            var photo = ImageLoader.Load(r.GetValue(image)!);
            using var gpu = CliDevice.Open(r.GetValue(device));
            var fit = ClassifyCommand.Resize(r.GetValue(resize));
            DetectionResult result;
            if (ncnn)
            {
                using var detector = NcnnDetector.Load(modelPath, new ModelImportOptions { Weights = r.GetValue(weights) }, gpu, names);
                result = DetectFitted(photo, detector.InputSize, fit, p => detector.Detect(p, minScore));
            }
            else
            {
                using var detector = SsdDetector.Load(modelPath, gpu, names!);
                result = DetectFitted(photo, detector.InputSize, fit, p => detector.Detect(p, minScore));
            }
            if (r.GetValue(output) is { } png)
            {
                DetectionDrawing.SavePng(photo, result.Detections, png);
                AnsiConsole.MarkupLine($"[grey]boxes drawn on {Markup.Escape(png)}[/]");
            }
            if (r.GetValue(json)) JsonOutput.Write(Document(modelPath, gpu.ToString(), photo, result));
            else PrintTable(modelPath, gpu.ToString(), photo, result, minScore);
            return 0;
        });
        return command;
    }

    /// <summary>--json: each detection's class, score and box (in pixels and normalised to 0-1), and the stage times.</summary>
    /// <summary>Detects on the photo fitted to the model's aspect by <paramref name="fit"/>; boxes in the photo's coordinates.</summary>
    private static DetectionResult DetectFitted(RgbImage photo, (int Width, int Height) input, ResizeMode fit, Func<RgbImage, DetectionResult> detect)
    {
        var result = detect(FrameFit.Fit(photo, input.Width, input.Height, fit));
        return result with { Detections = [.. result.Detections.Select(d => d with { Box = d.Box.Unfit(photo.Width, photo.Height, input.Width, input.Height, fit) })] };
    }

    private static object Document(string modelPath, string device, RgbImage photo, DetectionResult result) => new
    {
        model = modelPath, device, image = new { width = photo.Width, height = photo.Height },
        detections = result.Detections.Select(d => new
        {
            classId = d.ClassId, @class = d.Label, score = d.Score, box = BoxOf(d.Box.ToPixels(photo.Width, photo.Height)), boxNormalised = BoxOf(d.Box),
        }),
        timings = new { preprocessMs = result.PreprocessMs, networkMs = result.NetworkMs, decodeMs = result.DecodeMs, nmsMs = result.NmsMs },
    };

    private static object BoxOf(Box b) => new { xMin = b.XMin, yMin = b.YMin, xMax = b.XMax, yMax = b.YMax };

    private static void PrintTable(string modelPath, string device, RgbImage photo, DetectionResult result, float minScore)
    {
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(Path.GetFileName(modelPath))} on {Markup.Escape(device)}: " +
            $"preprocess {result.PreprocessMs:F1} ms, network {result.NetworkMs:F1} ms, decode {result.DecodeMs:F2} ms, NMS {result.NmsMs:F2} ms[/]");
        var table = new Table().AddColumn("class").AddColumn(new TableColumn("score").RightAligned())
            .AddColumn(new TableColumn("box (x0, y0, x1, y1) px").RightAligned());
        foreach (var d in result.Detections)
        {
            var b = d.Box.ToPixels(photo.Width, photo.Height);
            table.AddRow(Markup.Escape(d.Label), d.Score.ToString("F3"), $"{b.XMin:F0}, {b.YMin:F0}, {b.XMax:F0}, {b.YMax:F0}");
        }
        AnsiConsole.Write(table);
        if (result.Detections.Count == 0) AnsiConsole.MarkupLine($"[grey]nothing scored {minScore} or more[/]");
    }

    private static string Fetched(string relative)
    {
        var path = ModelSource.FindInRepo(relative);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{relative} is not fetched yet: run scripts/setup");
    }
}
