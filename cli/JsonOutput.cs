using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

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

    /// <summary>In JSON mode: sends the notes and tables written through Spectre.Console to stderr, so stdout holds the
    /// document alone.</summary>
    public static void NotesToStderr() =>
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>Writes <paramref name="document"/> as the command's whole standard output.</summary>
    public static void Write<T>(T document) => Console.Out.WriteLine(JsonSerializer.Serialize(document, Options));
}
