using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Doctor.Checks;

/// <summary>A primary that serves slots with no replica online: one failure from those slots being down.</summary>
public sealed class PrimaryWithoutReplicaCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Check(DoctorObservations observations)
    {
        var snapshot = observations.Snapshot;
        foreach (var primary in snapshot.Primaries.Where(p => !p.Slots.IsEmpty && p.Health == NodeHealth.Online))
        {
            if (snapshot.ReplicasOf(primary.Id).Any(r => r.Health == NodeHealth.Online))
            {
                continue;
            }

            yield return DoctorFinding.Create(
                DoctorKinds.PrimaryWithoutReplica, DoctorSeverity.Warning, [primary.Id], primary.Slots,
                $"{primary.Endpoint} serves {primary.Slots.SlotCount:N0} slot(s) with no replica online: if it fails, those slots are down until it is back. " +
                $"Add a replica of it (a new node, then CLUSTER REPLICATE {primary.Id} on that node).");
        }
    }
}
