using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Doctor.Checks;

/// <summary>
/// Slots no primary serves (unassigned in every primary's own view): their keys can be neither read nor written. Fix:
/// assign them to a primary (the one asked for, else the one with the fewest slots) after checking that no node holds
/// keys in them, or only that primary and its replicas.
/// </summary>
public sealed class UnassignedSlotsCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Check(DoctorObservations observations)
    {
        var views = SlotViews.OfPrimaries(observations);
        if (views.Count == 0)
        {
            yield break;
        }

        var unassigned = SlotRangeSet.FromSlots(Enumerable.Range(0, SlotRange.SlotCount).Where(s => views.All(v => v.Owners[s] is null)));
        if (unassigned.IsEmpty)
        {
            yield break;
        }

        var candidates = observations.Snapshot.Primaries.Where(p => p.Health == NodeHealth.Online)
            .Select(p => new AssignSlotsFix.Primary(p.Id, p.Endpoint, p.Slots.SlotCount)).ToImmutableArray();
        var holders = observations.Answered.Select(n => new AssignSlotsFix.Holder(n.Node.Id, n.Node.Endpoint, n.Node.PrimaryId)).ToImmutableArray();
        yield return DoctorFinding.Create(
            DoctorKinds.UnassignedSlots,
            DoctorSeverity.Error,
            [],
            unassigned,
            $"{unassigned.SlotCount:N0} slot(s) ({unassigned}) are served by no primary: keys in them can be neither read nor written, " +
            "and the cluster reports fail while cluster-require-full-coverage is yes. Assign them to a primary.",
            hash => candidates.IsEmpty ? null : new AssignSlotsFix($"assign-slots-{hash}", unassigned, candidates, holders));
    }
}
