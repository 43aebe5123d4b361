using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ValkeyDashboard.Benchmarks;

/// <summary>
/// <c>/metrics</c> on a 100-node cluster (50 primaries × 1 replica, with keys): scrape time, size and series count,
/// against <c>GET /api/cluster</c> of the same dashboard in the same run (both read the monitor's latest snapshot).
/// Scrapes are spaced beyond the exporter's response cache (300 ms), so each one collects afresh.
/// </summary>
internal sealed class MetricsBenchmark(BenchmarkOptions options, HttpClient http, ValkeyCluster cluster, string machine, string root)
{
    public const int Primaries = 50;
    public const double TimeTargetMilliseconds = 50;
    public const int SizeTargetBytes = 200 * 1024;
    private const int WarmUpRounds = 20;
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(400);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine($"Loading {options.Keys:N0} keys of 100 bytes ...");
        await cluster.LoadKeysAsync(options.Keys, cancellationToken);
        await cluster.WaitForKeyCountAsync(options.Keys, "loading", cancellationToken);

        Console.WriteLine($"Warming up ({WarmUpRounds} rounds), then {options.Rounds} measured rounds of GET /metrics and GET /api/cluster ...");
        for (var i = 0; i < WarmUpRounds; i++)
        {
            await TimeAsync("/metrics", cancellationToken);
            await TimeAsync("/api/cluster", cancellationToken);
            await Task.Delay(Spacing, cancellationToken);
        }

        var scrapes = new List<(double Ms, int Bytes, string Text)>();
        var clusters = new List<(double Ms, int Bytes, string Text)>();
        for (var i = 0; i < options.Rounds; i++)
        {
            scrapes.Add(await TimeAsync("/metrics", cancellationToken));
            clusters.Add(await TimeAsync("/api/cluster", cancellationToken));
            await Task.Delay(Spacing, cancellationToken);
        }

        var last = scrapes[^1].Text;
        var series = last.Split('\n').Count(l => l.Length > 0 && l[0] != '#');
        var ours = last.Split('\n').Count(l => l.StartsWith("valkey_dashboard_", StringComparison.Ordinal));
        var nodes = last.Split('\n').Count(l => l.StartsWith("valkey_dashboard_node_up{", StringComparison.Ordinal));
        var report = Report(scrapes, clusters, series, ours, nodes);
        var path = Path.Combine(root, "artifacts", "benchmarks", "metrics.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report, cancellationToken);
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"(written to {Path.GetRelativePath(root, path)})");
    }

    private async Task<(double Ms, int Bytes, string Text)> TimeAsync(string path, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var bytes = await http.GetByteArrayAsync(new Uri(path, UriKind.Relative), cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return (elapsed, bytes.Length, Encoding.UTF8.GetString(bytes));
    }

    private string Report(List<(double Ms, int Bytes, string Text)> scrapes, List<(double Ms, int Bytes, string Text)> clusters, int series, int ours, int nodes)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        var scrapeMs = Median(scrapes.Select(s => s.Ms));
        var clusterMs = Median(clusters.Select(s => s.Ms));
        var scrapeBytes = scrapes[^1].Bytes;
        var clusterBytes = clusters[^1].Bytes;
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"### /metrics on a 100-node cluster ({Primaries} primaries × 1 replica, {options.Keys:N0} keys)");
        text.AppendLine();
        text.AppendLine(c, $"`{options.CommandLine}` on {machine}; {options.Rounds} rounds after {WarmUpRounds} of warm-up, one request of each every {Spacing.TotalMilliseconds:0} ms (beyond the exporter's 300 ms response cache); medians.");
        text.AppendLine();
        text.AppendLine("| | time (median) | size | series |");
        text.AppendLine("| --- | ---: | ---: | ---: |");
        text.AppendLine(c, $"| `GET /metrics` | {scrapeMs:0.0} ms (target ≤ {TimeTargetMilliseconds:0}) | {scrapeBytes / 1024.0:0.0} KB (target ≤ {SizeTargetBytes / 1024} KB) | {series:N0} ({ours:N0} `valkey_dashboard_*`, {nodes} nodes) |");
        text.AppendLine(c, $"| `GET /api/cluster` (peer) | {clusterMs:0.0} ms | {clusterBytes / 1024.0:0.0} KB | |");
        text.AppendLine(c, $"| ratio /metrics ÷ /api/cluster | {scrapeMs / clusterMs:0.00} | {(double)scrapeBytes / clusterBytes:0.00} | |");
        text.AppendLine();
        text.AppendLine(c, $"Targets: time {(scrapeMs <= TimeTargetMilliseconds ? "met" : "MISSED")}, size {(scrapeBytes <= SizeTargetBytes ? "met" : "MISSED")}.");
        return text.ToString();
    }
}
