using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Doctor.Checks;

/// <summary>
/// Assigns unassigned slots to one primary (<c>CLUSTER ADDSLOTSRANGE</c> on it; gossip tells the others). Refuses when a
/// node other than that primary and its replicas holds keys in those slots: they would stay hidden on it, or clash
/// with what the new owner writes.
/// </summary>
public sealed class AssignSlotsFix(string id, SlotRangeSet slots, ImmutableArray<AssignSlotsFix.Primary> primaries, ImmutableArray<AssignSlotsFix.Holder> nodes)
    : DoctorFix(id, $"Assign slots {slots} to a primary (the one asked for, else the one with the fewest slots) with CLUSTER ADDSLOTSRANGE, after checking no other node holds keys in them")
{
    /// <summary>A primary that may take the slots.</summary>
    public sealed record Primary(string Id, string Endpoint, int SlotCount);

    /// <summary>A node whose keys are counted first (a replica with its primary's id).</summary>
    public sealed record Holder(string Id, string Endpoint, string? PrimaryId);

    public override ImmutableArray<DoctorFixChoice> PrimaryChoices => [.. primaries.OrderBy(p => p.Endpoint, StringComparer.Ordinal).Select(p => new DoctorFixChoice(p.Id, p.Endpoint))];

    public override async Task<ImmutableArray<DoctorFixStep>> PlanAsync(DoctorFixRequest request, IDoctorProbe probe, CancellationToken cancellationToken)
    {
        var target = Choose(request.PrimaryId);
        foreach (var node in nodes)
        {
            var keys = await probe.CountKeysAsync(node.Endpoint, slots, cancellationToken);
            var isTargetShard = string.Equals(node.Id, target.Id, StringComparison.OrdinalIgnoreCase) ||
                                string.Equals(node.PrimaryId, target.Id, StringComparison.OrdinalIgnoreCase);
            if (keys > 0 && !isTargetShard)
            {
                var primaryHint = primaries.Any(p => p.Id == node.Id) ? $" If they belong there, assign the slots to it (primaryId={node.Id})." : string.Empty;
                throw RequestRefusedException.Conflict(
                    $"not assigning slots {slots} to {target.Endpoint}: {node.Endpoint} holds {keys:N0} key(s) in them, which would be hidden there.{primaryHint}");
            }
        }

        return [new DoctorFixStep(
            $"{target.Endpoint} takes slots {slots}",
            [.. slots.Ranges.Select(r => (DoctorCommand)new AddSlotsRangeCommand(target.Endpoint, r))])];
    }

    private Primary Choose(string? primaryId)
    {
        if (primaryId is null)
        {
            return primaries.OrderBy(p => p.SlotCount).ThenBy(p => p.Endpoint, StringComparer.Ordinal).First();
        }

        return primaries.FirstOrDefault(p => string.Equals(p.Id, primaryId, StringComparison.OrdinalIgnoreCase))
            ?? throw RequestRefusedException.Invalid(
                $"primaryId {Text.ErrorText.Clip(primaryId, 60)} is not an online primary of the cluster; choose one of {string.Join(", ", primaries.Select(p => $"{p.Id} ({p.Endpoint})"))}");
    }
}
