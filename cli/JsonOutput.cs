using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GpuMobileNet.Cli;

/// <summary>The --json switch of the commands that report: one JSON document on stdout and nothing else there (tables
/// and notes are left out; errors still go to stderr as one line), for scripts.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The option, to add to a command.</summary>
    public static Option<bool> Create() => new("--json") { Description = "print one JSON document on stdout instead of tables" };

    /// <summary>Writes <paramref name="document"/> as the command's whole standard output.</summary>
    public static void Write<T>(T document) => Console.Out.WriteLine(JsonSerializer.Serialize(document, Options));
}
