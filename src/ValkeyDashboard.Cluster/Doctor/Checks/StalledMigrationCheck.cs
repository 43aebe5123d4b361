using System.Globalization;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Doctor.Checks;

/// <summary>
/// An atomic slot-migration job (Valkey 9 <c>CLUSTER GETSLOTMIGRATIONS</c>) that is not finished and whose state has not
/// changed (<c>last_update_time</c>) for <see cref="DoctorOptions.StalledMigrationAfter"/>. The target's acknowledgements
/// (<c>last_ack_time</c>) can go on while a job is stuck, so they only tell whether the link is alive. Replicas' copies
/// of a job (<see cref="SlotMigrationLogEntry.IsReplicaCopy"/>) say nothing about its progress and are left out.
/// </summary>
public sealed class StalledMigrationCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Check(DoctorObservations observations)
    {
        var limit = observations.Options.StalledMigrationAfter;
        // Only the primaries' entries tell a job's progress: a replica's copy keeps the time it heard of the job, so
        // while the primaries' entries were still young it would make a job look stalled (seen on a busy machine).
        var jobs = observations.Answered
            .Where(n => n.Node.IsPrimary)
            .SelectMany(n => n.Migrations.Where(m => !m.IsReplicaCopy).Select(m => (Node: n, Job: m)))
            .Where(j => !j.Job.IsFinished && j.Job.LastUpdatedAt is { } updated && observations.Now - updated >= limit)
            .GroupBy(j => j.Job.Name, StringComparer.Ordinal);
        foreach (var group in jobs)
        {
            // The source's entry (EXPORT) says most; the target's when the source did not answer.
            var (_, job) = group.OrderBy(j => j.Job.Operation == SlotMigrationOperation.Export ? 0 : 1).First();
            // Each primary's entry names both sides; should a server leave one out, the primary answering with the
            // export is the source and the one answering with the import the target.
            var sourceId = NonEmpty(job.SourceNodeId) ?? ReporterOf(group, SlotMigrationOperation.Export);
            var targetId = NonEmpty(job.TargetNodeId) ?? ReporterOf(group, SlotMigrationOperation.Import);
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

    private static string ReporterOf(IEnumerable<(NodeObservation Node, SlotMigrationLogEntry Job)> entries, SlotMigrationOperation operation) =>
        entries.FirstOrDefault(e => e.Job.Operation == operation).Node?.Node.Id ?? string.Empty;

    private static string? NonEmpty(string id) => string.IsNullOrEmpty(id) ? null : id;

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("N0", CultureInfo.InvariantCulture) + " s";
}
