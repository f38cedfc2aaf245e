namespace GpuMobileNet.Models;

public static partial class ModelZoo
{
    /// <summary>The input size a built-in network is published at: 320 for SSDLite (its paper's detector), 224 for the
    /// classifiers.</summary>
    public static int DefaultResolution(string name) => name == "ssdlite_mobilenet_v2" ? SsdLite.PaperResolution : 224;

    /// <summary>The class count a built-in network is published with: COCO's 91 (with the background) for SSDLite,
    /// ImageNet's 1000 for the classifiers.</summary>
    public static int DefaultClasses(string name) => name == "ssdlite_mobilenet_v2" ? SsdLite.CocoClasses : 1000;
}
