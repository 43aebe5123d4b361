using System.Collections.Immutable;
using System.Text.RegularExpressions;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>The slots of one source primary in a planned migration.</summary>
/// <param name="Source">The primary that owns the slots now.</param>
/// <param name="Slots">The slots it gives away.</param>
/// <param name="Keys">Keys in those slots.</param>
/// <param name="EstimatedBytes">Their estimated memory.</param>
/// <param name="ProgressSlots">At most <see cref="MigrationPlanner.MaxProgressSlots"/> slots with keys, spread over the job, whose keys on the target measure its progress.</param>
/// <param name="ProgressSlotsKeys">Keys in <paramref name="ProgressSlots"/> now.</param>
public sealed record PlannedJob(ClusterNode Source, SlotRangeSet Slots, long Keys, long EstimatedBytes, SlotRangeSet ProgressSlots, long ProgressSlotsKeys);

/// <summary>A validated migration: the target, one job per source, the estimate, and the engine that will run it.</summary>
/// <param name="Engine"><see cref="MigrationEngineChoice.Atomic"/> or <see cref="MigrationEngineChoice.Keys"/>.</param>
public sealed record MigrationPlan(SlotRangeSet Slots, ClusterNode Target, ImmutableArray<PlannedJob> Jobs, MigrationEstimate Estimate, string Engine = MigrationEngineChoice.Atomic)
{
    /// <summary>What clients will see while this engine moves the slots (nothing worth a word for the atomic engine).</summary>
    public ImmutableArray<string> ClientEffects => Engine == MigrationEngineChoice.Keys ? MigrationEngineChoice.KeyByKeyClientEffects : [];
}

/// <summary>
/// Checks a migration request against a cluster snapshot and the migrations still running, and splits it
/// per source primary. Pure: the caller supplies the snapshot and the target's <c>maxmemory</c>.
/// </summary>
public static partial class MigrationPlanner
{
    /// <summary>Refuse when the slots need more than this share of the target's free memory below maxmemory.</summary>
    public const double RefuseAboveHeadroomShare = 0.9;

    /// <summary>Warn when they need more than this share.</summary>
    public const double WarnAboveHeadroomShare = 0.5;

    /// <summary>Parses the request's slot list; throws <see cref="RequestRefusedException"/> (400) with the reason.</summary>
    public static SlotRangeSet ParseSlots(string? slots) =>
        SlotRangeSet.TryParse(slots, out var set, out var error)
            ? set
            : throw new RequestRefusedException(RefusalKind.Invalid, $"slots: {error}");

    public static MigrationPlan Plan(
        SlotRangeSet slots, string? targetNodeId, ClusterSnapshot snapshot, IEnumerable<Migration> running, long targetMaxMemoryBytes, MigrationEngineKind engine = MigrationEngineKind.Auto)
    {
        if (string.IsNullOrWhiteSpace(targetNodeId) || !NodeIdPattern().IsMatch(targetNodeId))
        {
            throw Invalid($"targetNodeId must be a node id of 40 hex characters, got \"{Clip(targetNodeId)}\"");
        }

        if (snapshot.State != ClusterState.Ok)
        {
            throw new RequestRefusedException(RefusalKind.Conflict,
                $"the cluster state is {snapshot.State.ToString().ToLowerInvariant()}{(snapshot.Error is null ? string.Empty : $" ({snapshot.Error})")}; slots move only while it is ok");
        }

        var target = snapshot.FindNode(targetNodeId) ?? throw Invalid($"target {Short(targetNodeId)} is not a node of this cluster");
        if (!target.IsPrimary)
        {
            throw Invalid($"target {Short(target.Id)} ({target.Endpoint}) is a replica; slots can only move to a primary");
        }

        if (target.Health != NodeHealth.Online)
        {
            throw new RequestRefusedException(RefusalKind.Conflict, $"target {Short(target.Id)} ({target.Endpoint}) is {target.Health.ToString().ToLowerInvariant()}");
        }

        var owned = slots.Intersect(target.Slots);
        if (!owned.IsEmpty)
        {
            throw Invalid($"slots {owned} are already owned by the target {Short(target.Id)} ({target.Endpoint})");
        }

        foreach (var migration in running)
        {
            var overlap = slots.Intersect(migration.Slots);
            if (!overlap.IsEmpty)
            {
                throw new RequestRefusedException(RefusalKind.Conflict,
                    $"slots {overlap} are already moving in migration {migration.Id}", conflictingMigrationId: migration.Id);
            }
        }

        var jobs = ImmutableArray.CreateBuilder<PlannedJob>();
        var unassigned = new List<int>();
        foreach (var group in slots.Slots().GroupBy(s => snapshot.SlotOwners[s]))
        {
            if (group.Key is null)
            {
                unassigned.AddRange(group);
                continue;
            }

            var source = snapshot.FindNode(group.Key)
                ?? throw new RequestRefusedException(RefusalKind.Conflict, $"the owner {Short(group.Key)} of some slots is not in the topology; try again");
            if (source.Health != NodeHealth.Online)
            {
                throw new RequestRefusedException(RefusalKind.Conflict, $"source {Short(source.Id)} ({source.Endpoint}) is {source.Health.ToString().ToLowerInvariant()}");
            }

            var jobSlots = SlotRangeSet.FromSlots(group);
            var keyCounts = snapshot.SlotStatistics.KeyCount;
            var keys = jobSlots.Slots().Sum(s => keyCounts[s]);
            var bytesPerKey = source.Keys is > 0 && source.UsedMemoryBytes is { } used ? (double)used / source.Keys.Value : 0;
            var sample = ProgressSample(jobSlots.Slots().Where(s => keyCounts[s] > 0).ToList());
            jobs.Add(new PlannedJob(source, jobSlots, keys, (long)(keys * bytesPerKey), sample, sample.Slots().Sum(s => keyCounts[s])));
        }

        if (unassigned.Count > 0)
        {
            throw Invalid($"slots {SlotRangeSet.FromSlots(unassigned)} are not assigned to any primary");
        }

        var chosen = MigrationEngineChoice.Choose(engine, target, jobs.Select(j => j.Source));
        var estimate = Estimate(target, jobs, targetMaxMemoryBytes);
        return new MigrationPlan(slots, target, jobs.OrderBy(j => j.Slots.Ranges[0].Start).ToImmutableArray(), estimate, chosen);
    }

    /// <summary>Most slots whose keys are counted to measure a job's progress (counting all 2,000 of a big job each time costs more than it tells).</summary>
    public const int MaxProgressSlots = 128;

    /// <summary>Up to <see cref="MaxProgressSlots"/> of the slots, evenly spread.</summary>
    internal static SlotRangeSet ProgressSample(IReadOnlyList<int> slotsWithKeys)
    {
        if (slotsWithKeys.Count <= MaxProgressSlots)
        {
            return SlotRangeSet.FromSlots(slotsWithKeys);
        }

        var step = (double)slotsWithKeys.Count / MaxProgressSlots;
        return SlotRangeSet.FromSlots(Enumerable.Range(0, MaxProgressSlots).Select(i => slotsWithKeys[(int)(i * step)]));
    }

    private static MigrationEstimate Estimate(ClusterNode target, IReadOnlyCollection<PlannedJob> jobs, long maxMemory)
    {
        var keys = jobs.Sum(j => j.Keys);
        var bytes = jobs.Sum(j => j.EstimatedBytes);
        var used = target.UsedMemoryBytes ?? 0;
        var warnings = ImmutableArray.CreateBuilder<string>();
        if (keys == 0)
        {
            warnings.Add("the slots hold no keys: only ownership moves");
        }

        if (maxMemory > 0)
        {
            var headroom = Math.Max(0, maxMemory - used);
            if (bytes > headroom * RefuseAboveHeadroomShare)
            {
                throw Invalid(
                    $"the target {Short(target.Id)} ({target.Endpoint}) has {DisplayBytes(headroom)} free below its maxmemory of {DisplayBytes(maxMemory)}, " +
                    $"and the slots need about {DisplayBytes(bytes)}: the import would run out of memory");
            }

            if (bytes > headroom * WarnAboveHeadroomShare)
            {
                warnings.Add($"the slots need about {DisplayBytes(bytes)}, more than half of the target's {DisplayBytes(headroom)} free below maxmemory");
            }
        }
        else if (bytes > 0)
        {
            warnings.Add("the target has no maxmemory limit; make sure its machine has room for about " + DisplayBytes(bytes) + " more");
        }

        return new MigrationEstimate(keys, bytes, used, maxMemory, warnings.ToImmutable());
    }

    internal static string Short(string id) => id.Length > 8 ? id[..8] + "…" : id;

    private static string Clip(string? text) => ErrorText.Clip(text, 48);

    private static string DisplayBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.0} KiB",
        _ => $"{bytes} B",
    };

    private static RequestRefusedException Invalid(string message) => new(RefusalKind.Invalid, message);

    [GeneratedRegex("^[0-9a-fA-F]{40}$")]
    private static partial Regex NodeIdPattern();
}
