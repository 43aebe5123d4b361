using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Cluster.Plans;

/// <summary>What a plan is computed from at one moment, and what the operator should know about those figures.</summary>
public sealed record GatheredInputs(ClusterSnapshot Snapshot, PlannerInput Input, ImmutableArray<string> Notes);

/// <summary>
/// Gathers what the planner needs for a metric: ownership as it is now, the metric per slot (key counts, the memory
/// estimate, CPU and network averaged over the load window), each primary's <c>maxmemory</c>, and the slots of running
/// migrations. Refuses (409) when the metric cannot be measured (no slot statistics, nothing in the window yet).
/// </summary>
public sealed class PlanInputs(
    ValkeyAdminClient valkey,
    ClusterMonitor monitor,
    MigrationRegistry migrations,
    SlotLoadWindow loadWindow,
    SlotMemoryEstimator memory,
    IOptions<PlanOptions> options)
{
    /// <summary>Slots sampled before a memory plan is computed, on top of what the background sampling has measured.</summary>
    private const int MemoryTopUp = 512;

    public async Task<GatheredInputs> GatherAsync(PlanMetric metric, CancellationToken cancellationToken)
    {
        // A full read (ownership, node figures and every slot's key count as they are now), not the last poll's.
        var snapshot = await monitor.PollOnceAsync(cancellationToken);
        if (snapshot.State != ClusterState.Ok)
        {
            throw RequestRefusedException.Conflict(
                $"the cluster state is {snapshot.State.ToString().ToLowerInvariant()}{(snapshot.Error is null ? string.Empty : $" ({snapshot.Error})")}; plans are made only while it is ok");
        }

        var notes = ImmutableArray.CreateBuilder<string>();
        var keys = snapshot.SlotStatistics.KeyCount.ToArray();
        var estimate = metric == PlanMetric.Memory ? await memory.EstimateAsync(snapshot, MemoryTopUp, cancellationToken) : memory.Estimate(snapshot);
        var load = new double[SlotRange.SlotCount];
        switch (metric)
        {
            case PlanMetric.Slots:
                for (var slot = 0; slot < load.Length; slot++)
                {
                    load[slot] = snapshot.SlotOwners[slot] is null ? 0 : 1;
                }

                break;
            case PlanMetric.Keys:
                for (var slot = 0; slot < load.Length; slot++)
                {
                    load[slot] = keys[slot];
                }

                break;
            case PlanMetric.Memory:
                for (var slot = 0; slot < load.Length; slot++)
                {
                    load[slot] = estimate.Bytes[slot];
                }

                notes.Add($"memory per slot is an estimate (Valkey reports none): the keys of {estimate.SampledShare:P0} of the slots with keys were sampled with MEMORY USAGE, the rest count at their node's average bytes per key");
                break;
            default:
                var averages = loadWindow.Averages();
                var rates = metric == PlanMetric.Cpu ? averages.CpuUsecPerSecond : averages.NetworkBytesPerSecond;
                if (rates is null)
                {
                    throw RequestRefusedException.Conflict(snapshot.SlotStatistics.CpuUsec is null
                        ? $"{Name(metric)} per slot is not reported: slot statistics are off on the primaries (CONFIG SET cluster-slot-stats-enabled yes)"
                        : $"no {Name(metric)} figures yet: the dashboard averages them over {options.Value.LoadWindow.TotalMinutes:0.#} min and has none so far; try again in a few seconds");
                }

                Array.Copy(rates, load, load.Length);
                if (averages.Covered < options.Value.LoadWindow * 0.9)
                {
                    notes.Add($"{Name(metric)} is averaged over the last {averages.Covered.TotalSeconds:0} s only (the window is {options.Value.LoadWindow.TotalMinutes:0.#} min; the dashboard started recently)");
                }

                break;
        }

        var primaries = await Task.WhenAll(snapshot.Primaries.Select(async p => new PlannerNode(
            p.Id, p.Endpoint, p.Health == NodeHealth.Online, p.UsedMemoryBytes ?? 0, p.Health == NodeHealth.Online ? await MaxMemoryAsync(p.Endpoint) : 0)));
        var locked = migrations.Active.Aggregate(SlotRangeSet.Empty, (all, m) => all.Union(m.Slots));
        return new GatheredInputs(snapshot, new PlannerInput([.. primaries], snapshot.SlotOwners, load, keys, estimate.Bytes, locked), notes.ToImmutable());
    }

    private async Task<long> MaxMemoryAsync(string endpoint)
    {
        try
        {
            return long.TryParse(await valkey.ConfigGetAsync(endpoint, "maxmemory"), out var bytes) ? bytes : 0;
        }
        catch (ValkeyException ex)
        {
            throw RequestRefusedException.Conflict($"{endpoint} did not answer CONFIG GET maxmemory: {ex.Message}");
        }
    }

    internal static string Name(PlanMetric metric) => metric switch
    {
        PlanMetric.Cpu => "CPU",
        PlanMetric.Network => "network",
        _ => metric.ToString().ToLowerInvariant(),
    };
}
