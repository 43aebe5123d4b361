namespace ValkeyDashboard.Cluster.Telemetry;

/// <summary>
/// Which cluster one container's series belong to: the <c>cluster</c> label its gauges, counters and histograms carry
/// (its name in <c>Valkey:Clusters</c>; a dashboard without that list labels its one cluster by its display name).
/// One per cluster's container, so what the monitor, the migrations and the probe of that cluster record is told apart
/// from the other clusters' on the same instruments.
/// </summary>
public sealed record MetricsCluster(string Label)
{
    /// <summary>The label's name.</summary>
    public const string LabelName = "cluster";

    /// <summary>The label as a tag of a measurement.</summary>
    public KeyValuePair<string, object?> Tag => new(LabelName, Label);
}
