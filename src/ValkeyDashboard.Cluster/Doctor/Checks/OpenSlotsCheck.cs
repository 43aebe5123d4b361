using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Migrations.Keys;
using ValkeyDashboard.Cluster.Migrations.OpenSlots;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Doctor.Checks;

/// <summary>
/// Slots left <c>migrating</c>/<c>importing</c> by a key-by-key move that did not end (a crashed reshard, a failed
/// migration), found on the primaries' own <c>myself</c> lines (<see cref="OpenSlotScanner.Find"/>). One finding per
/// slot: each slot's repair depends on where its own keys are, and the repair settles one slot. Slots of a migration
/// this dashboard is running are its work in progress and are left out. The fix finishes or rolls back
/// (<see cref="OpenSlotRepairFix"/>); a state no repair is safe for (several nodes migrating, no owner) has no fix.
/// </summary>
public sealed class OpenSlotsCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Check(DoctorObservations observations)
    {
        var primaries = observations.Answered.Where(n => n.Node.IsPrimary && n.Myself is not null).ToList();
        var addresses = primaries.Select(p => new NodeAddress(p.Node.Id, p.Node.Endpoint)).ToList();
        // A primary that did not answer may mark the slot open too (importing, with keys): deciding without its view
        // could close the slot on the others and strand what it holds, so there is no fix until every primary answers.
        var answered = primaries.Select(p => p.Node.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var silent = observations.Snapshot.Nodes
            .Where(n => n.IsPrimary && !answered.Contains(n.Id))
            .Select(n => n.Endpoint).Order(StringComparer.Ordinal).ToList();
        foreach (var open in OpenSlotScanner.Find(primaries.Select(p => p.Myself!)))
        {
            if (observations.SlotsBeingMoved.Contains(open.Slot))
            {
                continue;
            }

            // Keys can only add importing nodes, so a state that needs a person without keys needs one with them too.
            var decision = OpenSlotRepair.Decide(open, addresses, ImmutableDictionary<string, long>.Empty);
            var nodeIds = open.Migrating.Select(m => m.Id).Concat(open.Importing.Select(i => i.Id))
                .Concat(open.OwnerId is { } owner ? [owner] : []).Distinct(StringComparer.OrdinalIgnoreCase);
            var slots = SlotRangeSet.FromSlots([open.Slot]);
            if (silent.Count > 0)
            {
                yield return DoctorFinding.Create(
                    DoctorKinds.OpenSlot, DoctorSeverity.Error, nodeIds, slots,
                    $"{Describe(open, observations)} {string.Join(", ", silent)} did not answer, so where the slot's keys are cannot be known " +
                    "and no fix is offered until every primary answers.");
                continue;
            }

            if (decision.Fix == OpenSlotFix.Manual)
            {
                yield return DoctorFinding.Create(
                    DoctorKinds.OpenSlot, DoctorSeverity.Error, nodeIds, slots,
                    $"{Describe(open, observations)} No automatic repair is safe: {decision.Reason}. Count its keys on each primary " +
                    $"(CLUSTER COUNTKEYSINSLOT {open.Slot}), move them to the node that should own it (MIGRATE), then CLUSTER SETSLOT {open.Slot} STABLE " +
                    $"on every node that marks it open and CLUSTER SETSLOT {open.Slot} NODE <owner-id> on every primary.");
                continue;
            }

            yield return DoctorFinding.Create(
                DoctorKinds.OpenSlot, DoctorSeverity.Error, nodeIds, slots,
                $"{Describe(open, observations)} Finish the move or roll it back.",
                hash => new OpenSlotRepairFix($"settle-open-slot-{hash}", open));
        }
    }

    /// <summary>Which nodes mark the slot open, which way, and what clients meet meanwhile.</summary>
    private static string Describe(OpenSlot open, DoctorObservations observations)
    {
        string Peer(OpenSlotNode node) => observations.EndpointOf(node.PeerId);
        var migrating = string.Join(", ", open.Migrating.Select(m => $"{m.Endpoint} marks it migrating to {Peer(m)}"));
        var importing = string.Join(", ", open.Importing.Select(i => $"{i.Endpoint} marks it importing from {Peer(i)}"));
        var marks = string.Join("; ", new[] { migrating, importing }.Where(t => t.Length > 0));
        var owner = open.OwnerId is { } id ? observations.EndpointOf(id) : "no primary";
        var clients = (open.Migrating.IsEmpty, open.Importing.IsEmpty) switch
        {
            (false, false) => "clients are sent with ASK to the importing node for keys already there, and multi-key commands over the slot fail with TRYAGAIN while its keys are split",
            (true, false) => "the importing node answers for the slot only to clients that send ASKING, so keys written there are out of normal clients' reach",
            _ => "clients asking for a key the owner no longer has are sent with ASK to a node that does not import the slot",
        };
        return $"Slot {open.Slot} (served by {owner}) was left open by a key-by-key move that did not end: {marks}. Until it is settled {clients}.";
    }
}

/// <summary>
/// Settles an open slot with <see cref="OpenSlotRepair"/>: when planned it reads where the slot's keys are and decides
/// to finish the move or roll it back (as <c>valkey-cli --cluster fix</c> does); its one step lists the repair's exact
/// commands and runs the repair, which sends them.
/// </summary>
public sealed class OpenSlotRepairFix(string id, OpenSlot slot)
    : DoctorFix(id, $"Finish the move of slot {slot.Slot} or roll it back, whichever where its keys are says when it runs (like valkey-cli --cluster fix); " +
                    "the dry run says which, with the exact commands. No key is overwritten: a key on both sides stops it.")
{
    public override async Task<ImmutableArray<DoctorFixStep>> PlanAsync(DoctorFixRequest request, IDoctorProbe probe, CancellationToken cancellationToken)
    {
        RefuseChoice(request);
        var repair = await probe.PlanRepairAsync(slot, cancellationToken);
        if (repair.Fix == OpenSlotFix.Manual)
        {
            throw RequestRefusedException.Conflict($"no automatic repair is safe for slot {slot.Slot} now: {repair.Description}");
        }

        return [new DoctorFixStep(
            $"{(repair.Fix == OpenSlotFix.Finish ? "Finish" : "Roll back")}: {repair.Description}",
            [.. repair.Steps.Select(s => (DoctorCommand)new ListedCommand(s.Endpoint, s.Command))])
        {
            Run = repair.ExecuteAsync,
        }];
    }
}
