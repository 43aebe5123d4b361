using System.Diagnostics;
using System.Diagnostics.Metrics;
using ValkeyDashboard.Cluster.Migrations;

namespace ValkeyDashboard.Cluster.Telemetry;

/// <summary>
/// The dashboard's one <see cref="Meter"/> (<see cref="MeterName"/>) and the instruments that code records into as things
/// happen: the monitor's polls and finished migrations, each labelled with its <see cref="MetricsCluster"/>. One per
/// cluster's container; the meter keeps one instance of each instrument however many containers create it. Figures read from the latest snapshot and the registries at
/// collection time are <see cref="ClusterGauges"/>. Other parts add instruments of their own to the same meter through
/// <c>IMeterFactory.Create(MeterName)</c>; every instrument of that meter is exported, whichever class created it.
/// </summary>
/// <remarks>
/// Names are <c>valkey_dashboard.&lt;area&gt;.&lt;what&gt;</c> with UCUM units (<c>s</c>, <c>By</c>, <c>{key}</c>), which the
/// OpenTelemetry Prometheus exporter turns into <c>valkey_dashboard_&lt;area&gt;_&lt;what&gt;</c> with <c>_seconds</c>,
/// <c>_bytes</c> and, for counters, <c>_total</c> (docs/metrics.md).
/// </remarks>
public sealed class DashboardMetrics
{
    /// <summary>The meter (and the activity source) every dashboard instrument and span belongs to.</summary>
    public const string MeterName = "ValkeyDashboard";

    /// <summary>The activity source of the migration and plan spans.</summary>
    public const string ActivitySourceName = MeterName;

    /// <summary>How long a poll takes: from a few ms (a small cluster) to seconds (a node timing out).</summary>
    private static readonly IReadOnlyList<double> PollBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>How long a migration takes: under a second (atomic, few keys) to an hour (key by key, many keys).</summary>
    private static readonly IReadOnlyList<double> MigrationBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private readonly Histogram<double> _pollDuration;
    private readonly Counter<long> _pollFailures;
    private readonly Histogram<double> _migrationDuration;
    private readonly Counter<long> _keysMoved;
    private readonly Counter<long> _bytesMoved;

    private readonly KeyValuePair<string, object?> _cluster;

    public DashboardMetrics(IMeterFactory meterFactory, MetricsCluster cluster)
    {
        Cluster = cluster;
        _cluster = cluster.Tag;
        Meter = meterFactory.Create(MeterName);
        _pollDuration = Meter.CreateHistogram("valkey_dashboard.monitor.poll.duration", "s",
            "How long one poll of the cluster took (topology, INFO of every node, per-slot figures)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PollBuckets });
        _pollFailures = Meter.CreateCounter<long>("valkey_dashboard.monitor.poll.failures", "{failure}",
            "Polls in which no node of the cluster answered (or the poll failed otherwise)");
        _migrationDuration = Meter.CreateHistogram("valkey_dashboard.migration.duration", "s",
            "How long finished migrations ran, by final state and engine",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MigrationBuckets });
        _keysMoved = Meter.CreateCounter<long>("valkey_dashboard.migration.keys_moved", "{key}",
            "Keys that finished migrations moved to their target");
        _bytesMoved = Meter.CreateCounter<long>("valkey_dashboard.migration.data_moved", "By",
            "Bytes the targets of finished migrations received");
    }

    /// <summary>The meter, for <see cref="ClusterGauges"/>.</summary>
    internal Meter Meter { get; }

    /// <summary>The cluster whose figures this instance records.</summary>
    public MetricsCluster Cluster { get; }

    /// <summary>One poll of the monitor ended after <paramref name="duration"/>; <paramref name="failed"/> when no node answered or it threw.</summary>
    public void RecordPoll(TimeSpan duration, bool failed)
    {
        _pollDuration.Record(duration.TotalSeconds, _cluster);
        if (failed)
        {
            _pollFailures.Add(1, _cluster);
        }
    }

    /// <summary>A migration reached its final state: its run time, the keys and bytes it moved.</summary>
    public void RecordMigrationFinished(Migration migration)
    {
        var tags = new TagList
        {
            _cluster,
            { "state", MetricLabels.Of(migration.State) },
            { "engine", migration.Engine },
        };
        if (migration.Duration is { } duration)
        {
            _migrationDuration.Record(Math.Max(0, duration.TotalSeconds), tags);
        }

        _keysMoved.Add(migration.KeysMoved, tags);
        _bytesMoved.Add(migration.BytesMoved, tags);
    }
}
