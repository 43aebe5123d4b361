using System.Globalization;
using System.Text.RegularExpressions;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>One sample of a Prometheus text exposition: <c>name{label="value",…} value [timestamp]</c>.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string this[string label] => Labels.TryGetValue(label, out var value) ? value : string.Empty;
}

/// <summary>Reads the samples of a text exposition (what <c>/metrics</c> answers), for assertions on series and labels.</summary>
internal static partial class PrometheusExposition
{
    public static IReadOnlyList<PrometheusSample> Parse(string text) =>
        [.. text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => SampleLine().Match(line))
            .Where(m => m.Success)
            .Select(m => new PrometheusSample(
                m.Groups["name"].Value,
                LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups["key"].Value, l => Regex.Unescape(l.Groups["value"].Value), StringComparer.Ordinal),
                ParseValue(m.Groups["value"].Value)))];

    public static IEnumerable<PrometheusSample> Named(this IEnumerable<PrometheusSample> samples, string name) => samples.Where(s => s.Name == name);

    /// <summary>The one sample of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public static PrometheusSample Single(this IEnumerable<PrometheusSample> samples, string name, params (string Key, string Value)[] labels)
    {
        var matches = samples.Named(name).Where(s => labels.All(l => s[l.Key] == l.Value)).ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new Xunit.Sdk.XunitException($"expected one sample {name}{{{string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}}, found {matches.Count}");
    }

    private static double ParseValue(string value) => value switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?\s*$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex LabelPair();
}
