using System.Collections.Immutable;

namespace ValkeyDashboard.Cluster.Doctor.Checks;

/// <summary>
/// Nodes some answering node marks <c>fail</c> or <c>noaddr</c>. Fix, for one that serves no slots: <c>CLUSTER FORGET</c>
/// on every other node, all within Valkey's 60-second ban (a node not told yet would gossip it back). A failed primary
/// that still owns slots has no fix here: forgetting it would leave its slots unassigned.
/// </summary>
public sealed class FailedNodesCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Check(DoctorObservations observations)
    {
        var marked = observations.Answered
            .SelectMany(viewer => viewer.View.Where(e => !e.IsMyself && (e.IsFailed || e.HasNoAddress)).Select(e => (Viewer: viewer, Entry: e)))
            .GroupBy(m => m.Entry.Id, StringComparer.OrdinalIgnoreCase);
        foreach (var group in marked)
        {
            var entry = group.First().Entry;
            var what = string.Join(" and ", new[] { entry.IsFailed ? "failed" : null, entry.HasNoAddress ? "without address" : null }.OfType<string>());
            var viewers = string.Join(", ", group.Select(m => m.Viewer.Node.Endpoint));
            var slots = group.Select(m => m.Entry.Slots).Aggregate((a, b) => a.Union(b));
            var name = entry.HasNoAddress ? entry.Id : $"{entry.Endpoint} ({entry.Id})";
            if (!slots.IsEmpty)
            {
                yield return DoctorFinding.Create(
                    DoctorKinds.FailedNode, DoctorSeverity.Error, [entry.Id], slots,
                    $"{name} is marked {what} by {viewers} and still owns slots {slots}, which no node serves now. Promote one of its replicas " +
                    "(CLUSTER FAILOVER FORCE on it) or bring the node back; forget it only once it owns no slots.");
                continue;
            }

            // Every node that answers, but not the node itself, nor a replica of it (Valkey refuses to forget a node's own primary).
            var others = observations.Answered
                .Where(n => !string.Equals(n.Node.Id, entry.Id, StringComparison.OrdinalIgnoreCase) &&
                            !string.Equals(n.Myself?.PrimaryId, entry.Id, StringComparison.OrdinalIgnoreCase))
                .ToList();
            yield return DoctorFinding.Create(
                DoctorKinds.FailedNode, DoctorSeverity.Warning, [entry.Id], slots,
                $"{name} is marked {what} by {viewers} and owns no slots: a node that is gone but still listed. If it will not come back, forget it on every node.",
                hash => others.Count == 0 ? null : new FixedStepsFix(
                    $"forget-node-{hash}",
                    $"Forget {name} on every other node (CLUSTER FORGET, sent to all {others.Count} within Valkey's 60-second ban)",
                    [new DoctorFixStep($"{others.Count} node(s) forget {entry.Id}", [.. others.Select(n => (DoctorCommand)new ForgetNodeCommand(n.Node.Endpoint, entry.Id))])]));
        }
    }
}
