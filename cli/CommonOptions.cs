using System.CommandLine;

namespace GpuMobileNet.Cli;

/// <summary>Options shared by the commands that load a model.</summary>
internal sealed class CommonOptions
{
    public Option<string?> Model { get; } = new("--model", "-m")
    {
        Description = $"built-in architecture ({string.Join(", ", ModelSource.BuiltIn)}, random weights) or a model file (ONNX, TFLite, TF.js model.json or ncnn .param, told by its content); default: the nsfwjs MobileNetV2",
    };
    public Option<double> Alpha { get; } = new("--alpha") { Description = "width multiplier of a built-in model", DefaultValueFactory = _ => 1.0 };
    public Option<int?> Resolution { get; } = new("--resolution") { Description = "input size of a built-in model (default: its paper's, 224; 320 for ssdlite_mobilenet_v2)" };
    public Option<int?> Classes { get; } = new("--classes") { Description = "classes of a built-in model (default: 1000; 91 for ssdlite_mobilenet_v2, COCO with the background)" };
    public Option<int> Seed { get; } = new("--seed") { Description = "seed of a built-in model's random weights", DefaultValueFactory = _ => 1 };
    public Option<string?> InputSize { get; } = new("--input-size") { Description = "HxW input size of an ONNX model whose size is dynamic, or of an ncnn .param that declares none (e.g. 48x192)" };
    public Option<string?> Weights { get; } = new("--weights") { Description = "the .bin weights of an ncnn .param model (default: seeded random weights, --seed)" };
    public Option<string?> Device { get; } = new("--device") { Description = "Vulkan device index or name (default: GMN_DEVICE, else the best GPU, else CPU)" };

    public void AddTo(Command command)
    {
        command.Add(Model);
        command.Add(Alpha);
        command.Add(Resolution);
        command.Add(Classes);
        command.Add(Seed);
        command.Add(Device);
        command.Add(InputSize);
        command.Add(Weights);
    }

    /// <summary>Largest input side a built-in model accepts here; what a device cannot hold at that size is refused
    /// by the session with the device limit named.</summary>
    public const int MaxResolution = 4096;

    /// <summary>The model the options name, with every number checked first (before anything is built or loaded).</summary>
    public ModelSource Source(ParseResult r)
    {
        string? model = r.GetValue(Model);
        var zooName = model is not null && ModelSource.BuiltIn.Contains(model) ? model : "";
        return new(model,
            OptionChecks.InRange(r.GetValue(Alpha), "--alpha", 0, 4),
            OptionChecks.InRange(r.GetValue(Resolution) ?? Models.ModelZoo.DefaultResolution(zooName), "--resolution", 32, MaxResolution),
            OptionChecks.InRange(r.GetValue(Classes) ?? Models.ModelZoo.DefaultClasses(zooName), "--classes", 1, 100_000),
            r.GetValue(Seed))
        {
            InputSize = ParseSize(r.GetValue(InputSize)),
            Weights = r.GetValue(Weights),
        };
    }

    private static (int H, int W)? ParseSize(string? text)
    {
        if (text is null) return null;
        var parts = text.Split('x');
        return parts.Length == 2 && int.TryParse(parts[0], out int h) && int.TryParse(parts[1], out int w) && h > 0 && w > 0
                && h <= MaxResolution && w <= MaxResolution
            ? (h, w) : throw new UsageException($"--input-size '{text}': expected HEIGHTxWIDTH, each 1..{MaxResolution}, e.g. 48x192");
    }
}
