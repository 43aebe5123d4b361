using System.Globalization;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Components;

/// <summary>How figures read on the page: bytes in binary units, counts with separators, ids shortened.</summary>
public static class DisplayFormat
{
    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB"];

    public static string Bytes(long? bytes)
    {
        if (bytes is not { } value)
        {
            return "–";
        }

        double size = value;
        var unit = 0;
        while (size >= 1024 && unit < ByteUnits.Length - 1)
        {
            size /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{value} B")
            : string.Create(CultureInfo.InvariantCulture, $"{size:0.0} {ByteUnits[unit]}");
    }

    /// <summary>Milliseconds as a reader wants them: <c>0.42 ms</c>, <c>12 ms</c>, <c>1.3 s</c>.</summary>
    public static string Milliseconds(double milliseconds) => milliseconds switch
    {
        >= 1000 => (milliseconds / 1000).ToString("0.#", CultureInfo.InvariantCulture) + " s",
        >= 10 => milliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms",
        _ => milliseconds.ToString("0.##", CultureInfo.InvariantCulture) + " ms",
    };

    /// <summary>A migration's impact in full, for a tooltip.</summary>
    public static string ImpactDetail(Cluster.Migrations.Impact.MigrationImpact impact) =>
        $"{Count(impact.Probes)} probes, {Count(impact.Errors)} errors · p50 {Milliseconds(impact.P50Ms)}, p99 {Milliseconds(impact.P99Ms)}, longest write pause {Milliseconds(impact.MaxPauseMs)} · " +
        $"moving slots: p50 {Milliseconds(impact.Moving.P50Ms)}, p99 {Milliseconds(impact.Moving.P99Ms)} ({Count(impact.Moving.Probes)}) · " +
        $"elsewhere: p50 {Milliseconds(impact.Elsewhere.P50Ms)}, p99 {Milliseconds(impact.Elsewhere.P99Ms)} ({Count(impact.Elsewhere.Probes)})";

    public static string Count(long? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "–";

    /// <summary>The first 8 characters of a 40-hex node id, as valkey-cli shows them.</summary>
    public static string ShortId(string? id) => id is null ? "–" : id.Length <= 8 ? id : id[..8];

    /// <summary>
    /// A migration's or a plan's id shortened to its last 8 characters: the ids are version 7 GUIDs, whose first
    /// characters are a timestamp shared by ids made within the same minute, and whose last ones are random.
    /// </summary>
    public static string ShortRecordId(string? id) => id is null ? "–" : id.Length <= 8 ? id : "…" + id[^8..];

    /// <summary>A duration as an operator reads it: "850 ms", "12.4 s", "3 min 05 s".</summary>
    public static string Duration(TimeSpan duration) => duration.TotalSeconds switch
    {
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0} ms"),
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.0} s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes} min {duration.Seconds:00} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours} h {duration.Minutes:00} min"),
    };

    /// <summary>A plan's metric as the page names it: slots, keys, memory, CPU, network.</summary>
    public static string MetricName(PlanMetric metric) => metric switch
    {
        PlanMetric.Cpu => "CPU",
        _ => metric.ToString().ToLowerInvariant(),
    };

    /// <summary>A figure of a plan's metric with its unit: "5,461 slots", "1.2 MiB", "850 µs/s", "3.4 KiB/s".</summary>
    public static string MetricFigure(PlanMetric metric, double value) => metric switch
    {
        PlanMetric.Slots => $"{Count((long)Math.Round(value))} slots",
        PlanMetric.Keys => $"{Count((long)Math.Round(value))} keys",
        PlanMetric.Memory => Bytes((long)Math.Round(value)),
        PlanMetric.Cpu => string.Create(CultureInfo.InvariantCulture, $"{value:N0} µs/s"),
        _ => $"{Bytes((long)Math.Round(value))}/s",
    };

    /// <summary>Seconds as a duration ("12.4 s"), or "–" when unknown.</summary>
    public static string Seconds(double? seconds) => seconds is { } s ? Duration(TimeSpan.FromSeconds(s)) : "–";

    /// <summary>Slot ranges as the API writes them, the first <paramref name="most"/> and a count of the rest: "0-99,5000 and 12 more ranges".</summary>
    public static string Ranges(SlotRangeSet slots, int most) =>
        slots.Ranges.Length <= most
            ? slots.ToString()
            : string.Create(CultureInfo.InvariantCulture, $"{string.Join(',', slots.Ranges.Take(most))} and {slots.Ranges.Length - most} more ranges");
}
