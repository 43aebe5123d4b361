using System.Text.RegularExpressions;

namespace ValkeyDashboard.IntegrationTests.Container;

/// <summary>
/// A <c>.dockerignore</c>: patterns relative to the context's root (<c>*</c>, <c>?</c>, <c>**</c> for any number of
/// folders), the last matching one deciding, <c>!</c> putting a path back; a folder that matches is left out whole.
/// </summary>
public sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exclude)> _rules;

    private DockerIgnore(List<(Regex, bool)> rules) => _rules = rules;

    public static DockerIgnore Load(string path)
    {
        var rules = new List<(Regex, bool)>();
        if (File.Exists(path))
        {
            foreach (var raw in File.ReadAllLines(path))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                var exclude = !line.StartsWith('!');
                rules.Add((ToRegex(line.TrimStart('!').Trim().Trim('/')), exclude));
            }
        }

        return new DockerIgnore(rules);
    }

    /// <summary>Whether <paramref name="relativePath"/> (from the context's root) is left out of the context.</summary>
    public bool Excludes(string relativePath)
    {
        var path = relativePath.Replace('\\', '/');
        var excluded = false;
        foreach (var (pattern, exclude) in _rules)
        {
            if (pattern.IsMatch(path))
            {
                excluded = exclude;
            }
        }

        return excluded;
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = Regex.Escape(pattern)
            .Replace(@"\*\*/", "(?:.*/)?", StringComparison.Ordinal)
            .Replace(@"\*\*", ".*", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal);
        return new Regex($"^{regex}$", RegexOptions.CultureInvariant);
    }
}
