using System.Diagnostics;
using GpuMobileNet.Imaging;
using GpuMobileNet.Import;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.IO;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Hardening;

/// <summary>Only regular files are read, and never more than the format allows: a FIFO (made with mkfifo, so
/// opening it would block until a writer came), /dev/zero (endless) or a directory given as an image, labels,
/// model or weights file is refused at once with one line naming it. Each case runs under a time limit, so a
/// regression shows as a failure, not a hung suite.</summary>
public class HostileFileTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    internal static void MakeFifo(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, "mkfifo: " + p.StandardError.ReadToEnd());
    }

    /// <summary>Runs <paramref name="load"/> on another thread and returns what it threw, failing if it takes longer
    /// than <see cref="Limit"/> (a FIFO open would block forever).</summary>
    private static Exception? Within(Action load)
    {
        var task = Task.Run(load);
        Assert.That(Task.WhenAny(task, Task.Delay(Limit)).Result, Is.SameAs(task), $"still running after {Limit.TotalSeconds} s: hangs");
        return task.Exception?.InnerException;
    }

    private static void AssertRefused<T>(Action load, string path, string why) where T : Exception
    {
        var e = Within(load);
        Assert.That(e, Is.TypeOf<T>(), e?.ToString());
        Assert.That(e!.Message, Does.Contain(path).And.Contain(why).And.Not.Contain('\n'));
    }

    public enum Kind { Fifo, DevZero, Directory }

    private static string Make(TempDir dir, Kind kind, string name)
    {
        switch (kind)
        {
            case Kind.Fifo: MakeFifo(dir.File(name)); return dir.File(name);
            case Kind.DevZero: File.CreateSymbolicLink(dir.File(name), "/dev/zero"); return dir.File(name);
            default: Directory.CreateDirectory(dir.File(name)); return dir.File(name);
        }
    }

    private static string Why(Kind kind) => kind switch
    {
        Kind.Fifo => "FIFO",
        Kind.DevZero => "character device",
        _ => "directory",
    };

    [Test]
    public void ImageThatIsNotARegularFile([Values] Kind kind)
    {
        using var dir = new TempDir();
        string path = Make(dir, kind, "photo.png");
        AssertRefused<ImageLoadException>(() => ImageLoader.Load(path), path, Why(kind));
    }

    [Test]
    public void LabelsThatAreNotARegularFile([Values] Kind kind)
    {
        using var dir = new TempDir();
        string path = Make(dir, kind, "labels.txt");
        AssertRefused<InputFileException>(() => Labels.LoadLabels(path), path, Why(kind));
    }

    [Test]
    public void ModelJsonThatIsNotARegularFile([Values] Kind kind)
    {
        using var dir = new TempDir();
        string path = Make(dir, kind, "model.json");
        AssertRefused<ModelLoadException>(() => TfjsLayersImporter.Load(path), path, Why(kind));
    }

    [Test]
    public void WeightsThatAreNotARegularFile([Values] Kind kind)
    {
        using var dir = new TempDir();
        string json = new SyntheticTfjs(3, 3, 3).Conv("conv", 3, 4).WriteTo(dir);
        File.Delete(dir.File("w.bin"));
        string path = Make(dir, kind, "w.bin");
        // /dev/zero comes in as a symlink, which leads outside the model's folder: refused for that first.
        if (kind == Kind.DevZero) AssertRefused<ModelLoadException>(() => TfjsLayersImporter.Load(json), "'w.bin'", "outside");
        else AssertRefused<ModelLoadException>(() => TfjsLayersImporter.Load(json), path, Why(kind));
    }

    [Test]
    public void MissingFilesStillSayNotFound()
    {
        using var dir = new TempDir();
        AssertRefused<ImageLoadException>(() => ImageLoader.Load(dir.File("a.png")), dir.File("a.png"), "not found");
        AssertRefused<InputFileException>(() => Labels.LoadLabels(dir.File("l.txt")), dir.File("l.txt"), "not found");
        AssertRefused<ModelLoadException>(() => TfjsLayersImporter.Load(dir.File("m.json")), dir.File("m.json"), "not found");
    }

    [Test]
    public void FilesLargerThanTheirFormatAllowsAreRefusedUnread()
    {
        // Sparse files: the size is real, the disk blocks are not, and nothing is read before the size check.
        using var dir = new TempDir();
        void Sparse(string name, long size) { using var f = File.Create(dir.File(name)); f.SetLength(size); }
        Sparse("labels.txt", Labels.MaxFileBytes + 1);
        Sparse("model.json", TfjsLayersImporter.MaxModelJsonBytes + 1);
        Sparse("photo.png", ImageLoader.MaxFileBytes + 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.That(() => Labels.LoadLabels(dir.File("labels.txt")), Throws.TypeOf<InputFileException>().With.Message.Contains("labels.txt").And.Message.Contains("16 MiB"));
        Assert.That(() => TfjsLayersImporter.Load(dir.File("model.json")), Throws.TypeOf<ModelLoadException>().With.Message.Contains("model.json").And.Message.Contains("64 MiB"));
        Assert.That(() => ImageLoader.Load(dir.File("photo.png")), Throws.TypeOf<ImageLoadException>().With.Message.Contains("photo.png").And.Message.Contains("512 MiB"));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1 << 20), "nothing of the files was read");
    }

    [Test]
    public void LabelsStillLoad()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("l.txt"), "\uFEFFcat\r\ndog \n\n");
        Assert.That(Labels.LoadLabels(dir.File("l.txt")), Is.EqualTo(new[] { "cat", "dog" }));
    }
}
