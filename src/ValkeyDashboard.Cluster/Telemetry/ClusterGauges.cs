using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Cluster.Telemetry;

/// <summary>One cluster as the gauges read it: its <c>cluster</c> label, its monitor and its registries.</summary>
public sealed record MeteredCluster(string Name, IClusterSnapshotSource Snapshots, MigrationRegistry Migrations, PlanRegistry Plans);

/// <summary>
/// The observable gauges: read when metrics are collected (a scrape of <c>/metrics</c>, an OTLP export) from each
/// cluster's latest snapshot and its migration and plan registries, so they cost Valkey no command and keep no state of
/// their own. Every cluster the dashboard manages is measured, told apart by the <c>cluster</c> label. Per-slot series
/// cover only the <see cref="MetricsOptions.TopSlots"/> largest slots of each figure, per cluster.
/// </summary>
public sealed class ClusterGauges
{
    private readonly Func<IReadOnlyList<MeteredCluster>> _clusters;
    private readonly int _topSlots;

    /// <param name="metrics">The dashboard's meter.</param>
    /// <param name="clusters">The clusters to measure, read at each collection (further clusters join once started).</param>
    /// <param name="options">The metrics settings.</param>
    public ClusterGauges(DashboardMetrics metrics, Func<IReadOnlyList<MeteredCluster>> clusters, IOptions<MetricsOptions> options)
    {
        _clusters = clusters;
        _topSlots = options.Value.TopSlots;
        var meter = metrics.Meter;
        meter.CreateObservableGauge("valkey_dashboard.cluster.state", ClusterState, "{state}",
            "1 for the cluster's current state (ok, fail, unreachable, unknown), 0 for the others");
        meter.CreateObservableGauge("valkey_dashboard.cluster.slots.assigned", () => ClusterFigure(s => s.SlotsAssigned), "{slot}",
            "Slots assigned to some primary (cluster_slots_assigned)");
        meter.CreateObservableGauge("valkey_dashboard.cluster.slots.ok", () => ClusterFigure(s => s.SlotsOk), "{slot}",
            "Slots served by a primary not marked failing (cluster_slots_ok)");
        meter.CreateObservableGauge("valkey_dashboard.cluster.slots.failed", () => ClusterFigure(s => s.SlotsFailed), "{slot}",
            "Slots whose primary the cluster marked failed (cluster_slots_fail)");

        meter.CreateObservableGauge("valkey_dashboard.node.up", () => NodeFigure(n => n.Health == NodeHealth.Online ? 1 : 0), "{node}",
            "1 while the node answers and is online, 0 while it is failed or loading");
        meter.CreateObservableGauge("valkey_dashboard.node.keys", () => NodeFigure(n => n.Keys), "{key}", "Keys in the node's keyspace (INFO keyspace)");
        meter.CreateObservableGauge("valkey_dashboard.node.memory.used", () => NodeFigure(n => n.UsedMemoryBytes), "By", "The node's used_memory (INFO memory)");
        meter.CreateObservableGauge("valkey_dashboard.node.operations", () => NodeFigure(n => n.OpsPerSecond), "{operation}/s",
            "Commands per second the node processes (INFO instantaneous_ops_per_sec)");

        meter.CreateObservableGauge("valkey_dashboard.slot.keys", () => TopSlots(s => s.KeyCount, 1), "{key}",
            "Keys in the slot, for the slots with the most keys (Dashboard:Metrics:TopSlots)");
        meter.CreateObservableGauge("valkey_dashboard.slot.cpu", () => TopSlots(s => s.CpuUsec, 1e-6), "s",
            "CPU time spent on the slot since its owner's statistics were reset or it arrived, for the busiest slots (CLUSTER SLOT-STATS cpu-usec)");
        meter.CreateObservableGauge("valkey_dashboard.slot.network.in", () => TopSlots(s => s.NetworkBytesIn, 1), "By",
            "Bytes received for the slot since its owner's statistics were reset or it arrived, for the slots with the most (network-bytes-in)");
        meter.CreateObservableGauge("valkey_dashboard.slot.network.out", () => TopSlots(s => s.NetworkBytesOut, 1), "By",
            "Bytes sent for the slot since its owner's statistics were reset or it arrived, for the slots with the most (network-bytes-out)");

        meter.CreateObservableGauge("valkey_dashboard.migrations", MigrationCounts, "{migration}",
            "Migrations this dashboard started for the cluster, by state and engine");
        meter.CreateObservableGauge("valkey_dashboard.plans", PlanCounts, "{plan}", "Plans this dashboard ran for the cluster, by state");
    }

    private IEnumerable<Measurement<int>> ClusterState() =>
        _clusters().SelectMany(cluster => Enum.GetValues<ClusterState>().Select(candidate =>
            new Measurement<int>(candidate == cluster.Snapshots.Current.State ? 1 : 0, Label(cluster), new("state", MetricLabels.Of(candidate)))));

    private IEnumerable<Measurement<int>> ClusterFigure(Func<ClusterSnapshot, int> figure) =>
        _clusters().Select(cluster => new Measurement<int>(figure(cluster.Snapshots.Current), Label(cluster)));

    private static KeyValuePair<string, object?> Label(MeteredCluster cluster) => new("cluster", cluster.Name);

    /// <summary>One measurement per node that has the figure (a node that did not answer has no keys or memory to report).</summary>
    private IEnumerable<Measurement<long>> NodeFigure(Func<ClusterNode, long?> figure)
    {
        foreach (var cluster in _clusters())
        {
            foreach (var node in cluster.Snapshots.Current.Nodes)
            {
                if (figure(node) is { } value)
                {
                    yield return new Measurement<long>(value, new TagList
                    {
                        Label(cluster),
                        { "node", node.Endpoint },
                        { "node_id", node.Id },
                        { "role", MetricLabels.Of(node.Role) },
                    });
                }
            }
        }
    }

    /// <summary>Per cluster, the <see cref="MetricsOptions.TopSlots"/> slots with the largest non-zero values, with their owner.</summary>
    private IEnumerable<Measurement<double>> TopSlots(Func<SlotStatistics, IReadOnlyList<long>?> figure, double scale)
    {
        foreach (var cluster in _clusters())
        {
            var snapshot = cluster.Snapshots.Current;
            if (_topSlots == 0 || figure(snapshot.SlotStatistics) is not { } values)
            {
                continue;
            }

            var endpoints = snapshot.Nodes.ToDictionary(n => n.Id, n => n.Endpoint, StringComparer.Ordinal);
            foreach (var slot in TopSlotSelection.Largest(values, _topSlots))
            {
                var owner = snapshot.SlotOwners[slot];
                yield return new Measurement<double>(values[slot] * scale, new TagList
                {
                    Label(cluster),
                    { "slot", slot },
                    { "node", owner is not null && endpoints.TryGetValue(owner, out var endpoint) ? endpoint : string.Empty },
                    { "node_id", owner ?? string.Empty },
                });
            }
        }
    }

    private IEnumerable<Measurement<int>> MigrationCounts()
    {
        foreach (var cluster in _clusters())
        {
            var counts = cluster.Migrations.CountBy(m => (m.State, m.Engine));
            foreach (var engine in (string[])[MigrationEngineChoice.Atomic, MigrationEngineChoice.Keys])
            {
                foreach (var state in Enum.GetValues<MigrationState>())
                {
                    yield return new Measurement<int>(counts.GetValueOrDefault((state, engine)), Label(cluster),
                        new("state", MetricLabels.Of(state)), new("engine", engine));
                }
            }
        }
    }

    private IEnumerable<Measurement<int>> PlanCounts()
    {
        foreach (var cluster in _clusters())
        {
            var counts = cluster.Plans.CountBy(p => p.State);
            foreach (var state in Enum.GetValues<PlanState>().Where(s => s != PlanState.Skipped))
            {
                yield return new Measurement<int>(counts.GetValueOrDefault(state), Label(cluster), new("state", MetricLabels.Of(state)));
            }
        }
    }
}
