using System.Diagnostics.Metrics;
using ValkeyDashboard.Cluster.Telemetry;

namespace ValkeyDashboard.Cluster.Migrations.Impact;

/// <summary>
/// The probe's instruments on the dashboard's meter (<c>ValkeyDashboard</c>, exported with every other instrument
/// of that meter): latency of each probe operation by <c>moving</c> (true: a key of a moving slot), the longest write
/// pause of each migration, and the errors the probe saw by <c>kind</c>; each labelled with its cluster (one instance per
/// cluster's container, sharing the meter's instruments).
/// </summary>
public sealed class ImpactProbeMetrics
{
    /// <summary>The dashboard's one meter.</summary>
    public const string MeterName = "ValkeyDashboard";

    private static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _maxPause;
    private readonly Counter<long> _errors;
    private readonly KeyValuePair<string, object?> _cluster;

    public ImpactProbeMetrics(IMeterFactory meters, MetricsCluster cluster)
    {
        _cluster = cluster.Tag;
        var meter = meters.Create(MeterName);
        _latency = meter.CreateHistogram("valkey_dashboard.migration.impact.latency", "s",
            "Latency of the migration impact probe's GET and SET operations, on keys of the moving slots (moving=true) and elsewhere", advice: SecondsBuckets);
        _maxPause = meter.CreateHistogram("valkey_dashboard.migration.impact.max_pause", "s",
            "Per migration, the longest a probe write to a moving slot waited until it succeeded (the write pause at hand-over)", advice: SecondsBuckets);
        _errors = meter.CreateCounter<long>("valkey_dashboard.migration.impact.errors", "{error}",
            "Probe operations that failed during migrations (TRYAGAIN, timeouts, connection errors), by kind");
    }

    public void RecordLatency(bool moving, string operation, double milliseconds) =>
        _latency.Record(milliseconds / 1000, _cluster, new KeyValuePair<string, object?>("moving", moving ? "true" : "false"), new KeyValuePair<string, object?>("operation", operation));

    public void RecordMaxPause(string engine, double milliseconds) =>
        _maxPause.Record(milliseconds / 1000, _cluster, new KeyValuePair<string, object?>("engine", engine));

    public void RecordError(bool moving, string kind) =>
        _errors.Add(1, _cluster, new KeyValuePair<string, object?>("moving", moving ? "true" : "false"), new KeyValuePair<string, object?>("kind", kind));
}
