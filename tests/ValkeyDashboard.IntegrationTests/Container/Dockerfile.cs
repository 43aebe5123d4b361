using System.Text.Json;
using System.Text.RegularExpressions;

namespace ValkeyDashboard.IntegrationTests.Container;

/// <summary>
/// A Dockerfile read as BuildKit reads it, as far as the image's own file goes: continuation lines joined, comments and
/// parser directives dropped, instructions grouped by stage. Parsing only; <see cref="ImageReplay"/> carries it out.
/// </summary>
public sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<Stage> stages) => Stages = stages;

    public IReadOnlyList<Stage> Stages { get; }

    /// <summary>The last stage: what <c>docker build</c> makes the image of.</summary>
    public Stage Runtime => Stages[^1];

    public Stage this[string name] => Stages.Single(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    public static Dockerfile Parse(string text)
    {
        var stages = new List<Stage>();
        foreach (var (keyword, arguments) in Instructions(text))
        {
            if (keyword == "FROM")
            {
                var from = FromPattern().Match(arguments);
                if (!from.Success)
                {
                    throw new FormatException($"FROM {arguments}: expected 'image [AS name]'");
                }

                stages.Add(new Stage(from.Groups["image"].Value, from.Groups["name"].Success ? from.Groups["name"].Value : null, new List<Instruction>()));
                continue;
            }

            if (stages.Count == 0)
            {
                throw new FormatException($"{keyword} before the first FROM");
            }

            ((List<Instruction>)stages[^1].Instructions).Add(new Instruction(keyword, arguments));
        }

        return new Dockerfile(stages);
    }

    /// <summary>Each instruction's keyword (upper case) and its arguments, continuation lines joined.</summary>
    private static IEnumerable<(string Keyword, string Arguments)> Instructions(string text)
    {
        var current = new List<string>();
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Count == 0))
            {
                // Comments (parser directives included) go, also between continuation lines, as BuildKit drops them.
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current.Add(line[..^1].Trim());
                continue;
            }

            current.Add(line);
            var joined = string.Join(' ', current.Where(l => l.Length > 0));
            current.Clear();
            if (joined.Length == 0)
            {
                continue;
            }

            var space = joined.IndexOf(' ', StringComparison.Ordinal);
            yield return space < 0 ? (joined.ToUpperInvariant(), string.Empty) : (joined[..space].ToUpperInvariant(), joined[(space + 1)..].Trim());
        }
    }

    [GeneratedRegex(@"^(?:--platform=\S+\s+)?(?<image>\S+)(?:\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromPattern();

    public sealed record Stage(string Image, string? Name, IReadOnlyList<Instruction> Instructions)
    {
        public IEnumerable<Instruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);
    }

    public sealed partial record Instruction(string Keyword, string Arguments)
    {
        /// <summary><c>ENV a=1 b="two words"</c> (or the old <c>ENV a 1</c>): the variables it sets, in order.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> EnvironmentVariables()
        {
            if (!Arguments.Contains('=', StringComparison.Ordinal))
            {
                var space = Arguments.IndexOf(' ', StringComparison.Ordinal);
                return [KeyValuePair.Create(Arguments[..space], Arguments[(space + 1)..].Trim())];
            }

            return [.. EnvPair().Matches(Arguments).Select(m => KeyValuePair.Create(m.Groups["key"].Value, Unquote(m.Groups["value"].Value)))];
        }

        /// <summary>The exec form <c>["dotnet", "app.dll"]</c>.</summary>
        public IReadOnlyList<string> ExecForm() =>
            Arguments.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(Arguments)! : throw new FormatException($"{Keyword} {Arguments}: only the exec form [\"…\"] is replayed");

        /// <summary>Flags (<c>--from=build</c>) and the paths of a COPY.</summary>
        public (IReadOnlyDictionary<string, string> Flags, IReadOnlyList<string> Sources, string Destination) CopyArguments()
        {
            var words = Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var flags = words.TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal))
                .Select(w => w[2..].Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty, StringComparer.Ordinal);
            var paths = words.Skip(flags.Count).ToList();
            return (flags, paths[..^1], paths[^1]);
        }

        private static string Unquote(string value) =>
            value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal) : value;

        [GeneratedRegex("""(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>"(?:[^"\\]|\\.)*"|\S*)""")]
        private static partial Regex EnvPair();
    }
}
