using System.Globalization;
using System.Text;

namespace ValkeyDashboard.Benchmarks;

/// <summary>The result of a run as a Markdown block for docs/benchmarks.md: medians, every round, the ratios against their targets.</summary>
internal sealed class BenchmarkReport(
    BenchmarkOptions options,
    MigrationScenario scenario,
    TimeSpan loadTime,
    IReadOnlyDictionary<MigrationMethod, List<Measurement>> results,
    string machine)
{
    /// <summary>The dashboard may add at most 15 % to raw Valkey.</summary>
    public const double ApiOverRawTarget = 1.15;

    /// <summary>The legacy reshard should take at least ten times as long as the dashboard.</summary>
    public const double LegacyOverApiTarget = 10;

    /// <summary>The legacy reshard should take at least twice as long as the dashboard's key-by-key engine (issue 11).</summary>
    public const double LegacyOverKeysTarget = 2;

    public double Median(MigrationMethod method) => MedianOf(results[method].Select(m => m.Total.TotalSeconds));

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        var slots = scenario.Slots;
        Line(text, $"### Moving {slots.SlotCount:N0} slots there and back");
        text.AppendLine();
        Line(text, $"""
            Slots {slots} ({scenario.KeysInSlots:N0} keys of 100 bytes; {scenario.TotalKeys:N0} keys in the cluster) move from primary A
            ({scenario.SourceEndpoint}) to primary B ({scenario.TargetEndpoint}) and back, in the dashboard's embedded cluster (3 primaries,
            3 replicas, loopback, AOF on). Median of {options.Rounds} round(s); odd rounds run (a), (b), (c), (e), (d), even rounds (b), (a), (c), (e), (d), and the
            exact original layout is restored (untimed) after each. A round's time is there + back.
            """);
        text.AppendLine();

        var rounds = Enumerable.Range(1, options.Rounds).ToList();
        Line(text, $"| Method | Median there-and-back (s) | {string.Join(" | ", rounds.Select(r => $"Round {r} (s)"))} |");
        Line(text, $"| --- | ---: | {string.Join(" | ", rounds.Select(_ => "---:"))} |");
        foreach (var (method, measurements) in results.OrderBy(r => r.Key))
        {
            var cells = measurements.Select(m => Invariant($"{m.Total.TotalSeconds:0.000} ({m.There.Elapsed.TotalSeconds:0.000} + {m.Back.Elapsed.TotalSeconds:0.000})"));
            Line(text, $"| ({Methods.Letter(method)}) {Methods.Describe(method)} | {Median(method):0.000} | {string.Join(" | ", cells)} |");
        }

        var apiOverRaw = Median(MigrationMethod.DashboardApi) / Median(MigrationMethod.MigrateSlots);
        var legacyOverApi = Median(MigrationMethod.CliLegacyReshard) / Median(MigrationMethod.DashboardApi);
        var atomicCliOverApi = Median(MigrationMethod.CliAtomicReshard) / Median(MigrationMethod.DashboardApi);
        text.AppendLine();
        Line(text, $"| Ratio of medians | Measured | Target | Result |");
        Line(text, $"| --- | ---: | --- | --- |");
        Line(text, $"| (a)/(b): the dashboard over raw `CLUSTER MIGRATESLOTS` | {apiOverRaw:0.00} | ≤ {ApiOverRawTarget:0.00} | {(apiOverRaw <= ApiOverRawTarget ? "PASS" : "MISS")} |");
        Line(text, $"| (d)/(a): legacy `valkey-cli` reshard over the dashboard | {legacyOverApi:0.0} | ≥ {LegacyOverApiTarget:0} | {(legacyOverApi >= LegacyOverApiTarget ? "PASS" : "MISS")} |");
        Line(text, $"| (c)/(a): atomic `valkey-cli` reshard over the dashboard | {atomicCliOverApi:0.00} | (none) | |");
        var legacyOverKeys = Median(MigrationMethod.CliLegacyReshard) / Median(MigrationMethod.DashboardKeysApi);
        Line(text, $"| (d)/(e): legacy `valkey-cli` reshard over the dashboard's key-by-key engine | {legacyOverKeys:0.0} | ≥ {LegacyOverKeysTarget:0} | {(legacyOverKeys >= LegacyOverKeysTarget ? "PASS" : "MISS")} |");
        Line(text, $"| (e)/(a): the key-by-key engine over the atomic engine, both through the dashboard | {Median(MigrationMethod.DashboardKeysApi) / Median(MigrationMethod.DashboardApi):0.0} | (none) | |");
        text.AppendLine();
        Line(text, $"""
            - Keys in the moved slots: {scenario.KeysInSlots:N0} (Σ `CLUSTER COUNTKEYSINSLOT` over {slots} on A at the start); after every
              migration `DBSIZE` summed over the primaries was {scenario.TotalKeys:N0} again (no key lost).
            """);
        if (options.LoadOpsPerSecond > 0)
        {
            Line(text, $"- Client load: {options.LoadOpsPerSecond:N0} commands/s (half `GET`, half `SET` of random loaded keys, StackExchange.Redis) through every measured move; failed commands per method, all rounds:");
            foreach (var (method, measurements) in results.OrderBy(r => r.Key))
            {
                var commands = measurements.Sum(m => m.Load?.Commands ?? 0);
                var kinds = measurements.Where(m => m.Load is not null).SelectMany(m => m.Load!.FailuresByKind)
                    .GroupBy(k => k.Key, k => k.Value).Select(g => Invariant($"{g.Sum():N0} {g.Key}")).ToList();
                var failed = measurements.Sum(m => m.Load?.Failures ?? 0);
                Line(text, $"  - ({Methods.Letter(method)}): {failed:N0} of {commands:N0} commands failed{(kinds.Count == 0 ? string.Empty : $" ({string.Join(", ", kinds)})")}.");
            }
        }

        foreach (var note in Notes())
        {
            Line(text, $"- {note}");
        }

        Line(text, $"- Loading {scenario.TotalKeys:N0} keys: {loadTime.TotalSeconds:0.0} s (StackExchange.Redis, 10,000 `SET`s in flight).");
        Line(text, $"- Machine: {machine}.");
        Line(text, $"- Command: `{options.CommandLine}` (run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC).");
        return text.ToString();
    }

    /// <summary>What the table does not show: how quickly the API accepted, and where valkey-cli moved another number of slots than asked.</summary>
    private IEnumerable<string> Notes()
    {
        var accepted = results[MigrationMethod.DashboardApi].SelectMany(m => new[] { m.There.Accepted, m.Back.Accepted }).OfType<TimeSpan>().ToList();
        if (accepted.Count > 0)
        {
            yield return Invariant($"(a): `POST /api/migrations` answered 202 after {MedianOf(accepted.Select(a => a.TotalMilliseconds)):0} ms (median; range {accepted.Min().TotalMilliseconds:0}-{accepted.Max().TotalMilliseconds:0} ms); the rest of (a) is following the migration to `succeeded`.");
        }

        foreach (var (method, measurements) in results.OrderBy(r => r.Key))
        {
            foreach (var (direction, pick) in new (string, Func<Measurement, Direction>)[] { ("there", m => m.There), ("back", m => m.Back) })
            {
                var odd = measurements.Select((m, i) => (Round: i + 1, Direction: pick(m))).Where(r => r.Direction.SlotsMoved != scenario.Slots.SlotCount).ToList();
                if (odd.Count > 0)
                {
                    var plan = odd[0].Direction.Plan is { } p ? $" (its plan: `{p}`)" : string.Empty;
                    yield return Invariant($"({Methods.Letter(method)}) {direction}: {string.Join(", ", odd.Select(r => $"{r.Direction.SlotsMoved:N0}"))} slots moved instead of {scenario.Slots.SlotCount:N0} in round(s) {string.Join(", ", odd.Select(r => r.Round))}{plan}; the original layout was restored untimed afterwards.");
                }
            }
        }
    }

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void Line(StringBuilder text, FormattableString line) => text.AppendLine(Invariant(line));
}
