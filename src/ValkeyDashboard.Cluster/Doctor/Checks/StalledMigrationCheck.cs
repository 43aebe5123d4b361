using System.Globalization;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Doctor.Checks;

/// <summary>
/// An atomic slot-migration job (Valkey 9 <c>CLUSTER GETSLOTMIGRATIONS</c>) that is not finished and whose state has not
/// changed (<c>last_update_time</c>) for <see cref="DoctorOptions.StalledMigrationAfter"/>. The target's acknowledgements
/// (<c>last_ack_time</c>) can go on while a job is stuck, so they only tell whether the link is alive.
/// </summary>
public sealed class StalledMigrationCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Check(DoctorObservations observations)
    {
        var limit = observations.Options.StalledMigrationAfter;
        var jobs = observations.Answered
            .SelectMany(n => n.Migrations.Select(m => (Node: n, Job: m)))
            .Where(j => !j.Job.IsFinished && j.Job.LastUpdatedAt is { } updated && observations.Now - updated >= limit)
            .GroupBy(j => j.Job.Name, StringComparer.Ordinal);
        foreach (var group in jobs)
        {
            // The source's entry (EXPORT) says most; a target's or its replicas' when the source did not answer.
            var (_, job) = group.OrderBy(j => j.Job.Operation == SlotMigrationOperation.Export ? 0 : 1).First();
            // A job's entry can lack a side's id (seen on a busy machine while the job was held): the node answering
            // with the export is the source, the primary answering with the import the target.
            // Failing both, the slots' owner is the source: an unfinished job has not handed them over.
            var sourceId = NonEmpty(job.SourceNodeId)
                ?? group.FirstOrDefault(j => j.Job.Operation == SlotMigrationOperation.Export).Node?.Node.Id
                ?? OwnerOf(observations.Snapshot, job.Slots) ?? string.Empty;
            var targetId = NonEmpty(job.TargetNodeId)
                ?? group.FirstOrDefault(j => j.Job.Operation != SlotMigrationOperation.Export && j.Node.Node.IsPrimary).Node?.Node.Id ?? string.Empty;
            job = job with { SourceNodeId = sourceId, TargetNodeId = targetId };
            var source = observations.EndpointOf(job.SourceNodeId);
            var target = observations.EndpointOf(job.TargetNodeId);
            var idle = observations.Now - job.LastUpdatedAt!.Value;
            var ack = job.LastAckAt is { } acked ? $"; the other side last answered {Seconds(observations.Now - acked)} ago" : string.Empty;
            yield return DoctorFinding.Create(
                Cluster.Doctor.DoctorKinds.StalledMigration, DoctorSeverity.Warning, [job.SourceNodeId, job.TargetNodeId], job.Slots,
                $"Atomic migration {job.Name} of slots {job.Slots} from {source} to {target} has been in state {job.State} for {Seconds(idle)} " +
                $"without progress{ack}. Valkey does not retry by itself: cancel it (Cancel on the migration, or CLUSTER CANCELSLOTMIGRATIONS on {source}; " +
                "the source keeps every key), look at both nodes' logs for the reason, and start it again.");
        }
    }

    private static string? OwnerOf(Model.ClusterSnapshot snapshot, Model.SlotRangeSet slots) =>
        slots.IsEmpty ? null : snapshot.Nodes.FirstOrDefault(n => n.IsPrimary && n.Slots.Contains(slots.Ranges[0].Start))?.Id;

    private static string? NonEmpty(string id) => string.IsNullOrEmpty(id) ? null : id;

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("N0", CultureInfo.InvariantCulture) + " s";
}
