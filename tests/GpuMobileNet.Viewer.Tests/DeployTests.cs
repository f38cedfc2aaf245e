using System.Net;
using System.Text.RegularExpressions;
using NUnit.Framework;
using YamlDotNet.RepresentationModel;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>deploy/ (the KServe ServingRuntime and InferenceServices) and the Dockerfile agree with the server: the
/// runtime's arguments parse as the viewer's command line, its ports are the ones those arguments listen on, its
/// probe paths answer 200 on a running server, and its protocols are the v2 REST and gRPC ones.</summary>
public class DeployTests
{
    private static string Deploy(string name) => Path.Combine(ViewerServer.RepoRoot, "deploy", name);

    [Test]
    public async Task TheServingRuntimeMatchesTheServer()
    {
        var runtime = (YamlMappingNode)Load(Deploy("servingruntime.yaml")).Single();
        Assert.That(Text(runtime, "kind"), Is.EqualTo("ServingRuntime"));
        Assert.That(Seq(runtime, "spec", "protocolVersions").Select(v => v.ToString()), Is.EquivalentTo(new[] { "v2", "grpc-v2" }));
        var container = (YamlMappingNode)Seq(runtime, "spec", "containers").Single();
        var (run, options) = Parse(ContainerArgs(container));
        Assert.That(options.ApiOnly, Is.True);
        Assert.That(options.ModelsDir, Is.EqualTo("/mnt/models"), "KServe's storage initializer downloads there");
        int restPort = Port(run.HostArgs[1]), grpcPort = Port(options.GrpcUrls!);
        Assert.That(Seq(container, "ports").Select(p => int.Parse(Text((YamlMappingNode)p, "containerPort"))), Is.EqualTo(new[] { restPort }));
        foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
        {
            Assert.That(int.Parse(Text(container, probe, "httpGet", "port")), Is.EqualTo(restPort), probe);
            var path = Text(container, probe, "httpGet", "path");
            using var http = new HttpClient();
            var r = await http.GetAsync(new Uri(ViewerServer.Instance.Url, path.TrimStart('/')));
            Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{probe} {path}");
        }

        var services = Load(Deploy("inferenceservice.yaml")).Cast<YamlMappingNode>().ToList();
        var model = services.ToDictionary(s => Text(s, "metadata", "name"), s => Map(s, "spec", "predictor", "model"));
        Assert.That(model.Values.Select(m => Text(m, "runtime")), Is.All.EqualTo(Text(runtime, "metadata", "name")));
        Assert.That(Text(model["gpumobilenet"], "protocolVersion"), Is.EqualTo("v2"));
        Assert.That(Text(model["gpumobilenet-grpc"], "protocolVersion"), Is.EqualTo("grpc-v2"));
        var grpcPorts = (YamlMappingNode)Seq(model["gpumobilenet-grpc"], "ports").Single();
        Assert.That(Text(grpcPorts, "name"), Is.EqualTo("h2c"), "KServe's name for a gRPC (HTTP/2 cleartext) port");
        Assert.That(int.Parse(Text(grpcPorts, "containerPort")), Is.EqualTo(grpcPort));
    }

    [Test]
    public void TheDockerfileListensWhereTheRuntimeSays()
    {
        var dockerfile = File.ReadAllText(Path.Combine(ViewerServer.RepoRoot, "Dockerfile"));
        var runtime = (YamlMappingNode)Load(Deploy("servingruntime.yaml")).Single();
        var container = (YamlMappingNode)Seq(runtime, "spec", "containers").Single();
        var (run, options) = Parse(ContainerArgs(container));
        string Env(string name) => Regex.Match(dockerfile, $@"\b{name}=(\S+)").Groups[1].Value;
        Assert.That(Env("ASPNETCORE_URLS"), Is.EqualTo(run.HostArgs[1]));
        Assert.That(Env("GMN_GRPC_URLS"), Is.EqualTo(options.GrpcUrls));
        Assert.That(Env("GMN_MODELS_DIR"), Is.EqualTo(options.ModelsDir));
        Assert.That(Regex.Match(dockerfile, @"^EXPOSE (.+)$", RegexOptions.Multiline).Groups[1].Value.Split(' ').Select(int.Parse),
            Is.EqualTo(new[] { Port(run.HostArgs[1]), Port(options.GrpcUrls!) }));
        Assert.That(dockerfile, Does.Contain("libvulkan1 mesa-vulkan-drivers"), "the Vulkan loader and lavapipe");
    }

    /// <summary>What the container runs: the Dockerfile's ENTRYPOINT arguments after the program, then the runtime's args
    /// (Kubernetes' args replace the image's CMD, never its ENTRYPOINT).</summary>
    private static string[] ContainerArgs(YamlMappingNode container)
    {
        var dockerfile = File.ReadAllText(Path.Combine(ViewerServer.RepoRoot, "Dockerfile"));
        var entrypoint = System.Text.Json.JsonSerializer.Deserialize<string[]>(Regex.Match(dockerfile, @"^ENTRYPOINT (\[.*\])$", RegexOptions.Multiline).Groups[1].Value)!;
        Assert.That(entrypoint[..2], Is.EqualTo(new[] { "dotnet", "/app/GpuMobileNet.Viewer.dll" }));
        return [.. entrypoint[2..], .. Seq(container, "args").Select(a => a.ToString())];
    }

    /// <summary>The options the viewer's own command line makes of these arguments.</summary>
    private static (ViewerRun Run, ViewerOptions Options) Parse(string[] args)
    {
        (ViewerRun, ViewerOptions)? parsed = null;
        var command = ViewerCommandLine.Create((run, options) => { parsed = (run, options); return Task.FromResult(0); });
        int exit = ViewerCommandLine.InvokeAsync(command, args).GetAwaiter().GetResult();
        Assert.That(exit, Is.Zero, $"the viewer refuses {string.Join(' ', args)}");
        return parsed!.Value;
    }

    private static int Port(string url) => new Uri(url).Port;

    private static IEnumerable<YamlNode> Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents.Select(d => d.RootNode);
    }

    private static YamlMappingNode Map(YamlMappingNode node, params string[] keys) =>
        keys.Aggregate(node, (n, k) => (YamlMappingNode)n.Children[new YamlScalarNode(k)]);

    private static string Text(YamlMappingNode node, params string[] keys) =>
        ((YamlScalarNode)Map(node, keys[..^1]).Children[new YamlScalarNode(keys[^1])]).Value!;

    private static YamlSequenceNode Seq(YamlMappingNode node, params string[] keys) =>
        (YamlSequenceNode)Map(node, keys[..^1]).Children[new YamlScalarNode(keys[^1])];
}
