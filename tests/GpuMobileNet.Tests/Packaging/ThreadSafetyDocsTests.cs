using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Packaging;

/// <summary>Every public type of the engine and of GpuMobileNet.Models says in its XML documentation (summary or remarks)
/// whether and how it may be used from several threads, as ONNX Runtime's C# API does: the check reads the documentation
/// files the build generates next to the assemblies.</summary>
public class ThreadSafetyDocsTests
{
    private static readonly Regex Statement = new("thread-saf(e|ety)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    [TestCaseSource(typeof(PublicSurfaceTests), nameof(PublicSurfaceTests.Assemblies))]
    public void EveryPublicTypeStatesItsThreadSafety(Assembly assembly, string approvedFile)
    {
        _ = approvedFile;
        var missing = PublicSurfaceTests.PublicTypes(assembly).Where(t => !Statement.IsMatch(TypeDocs(assembly).GetValueOrDefault(t, ""))).ToList();
        Assert.That(missing, Is.Empty, $"public types of {assembly.GetName().Name} whose <summary> or <remarks> lacks \"Thread-safety\" or \"thread-safe\"");
    }

    /// <summary>The documentation file is read, not trusted to exist: without it every type would count as undocumented.</summary>
    private static Dictionary<string, string> TypeDocs(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.That(path, Does.Exist, "the build generates the XML documentation (GenerateDocumentationFile)");
        return XDocument.Load(path).Descendants("member")
            .Where(m => ((string?)m.Attribute("name"))?.StartsWith("T:", StringComparison.Ordinal) == true)
            .ToDictionary(m => ((string)m.Attribute("name")!)[2..],
                m => string.Join(" ", m.Elements().Where(e => e.Name == "summary" || e.Name == "remarks").Select(e => e.Value)));
    }
}
