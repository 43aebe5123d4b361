using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Doctor.Checks;

/// <summary>
/// Primaries that disagree about who owns a slot (each primary's own <c>CLUSTER NODES</c>), one finding per pattern of
/// disagreement. No fix: which owner is right takes a look at where the keys are.
/// </summary>
public sealed class SlotOwnerDisagreementCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Check(DoctorObservations observations)
    {
        var views = SlotViews.OfPrimaries(observations);
        if (views.Count < 2)
        {
            yield break;
        }

        // Slots grouped by what each viewer says of them, for the slots where viewers differ.
        var patterns = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var slot = 0; slot < SlotRange.SlotCount; slot++)
        {
            var first = views[0].Owners[slot];
            if (views.All(v => v.Owners[slot] == first))
            {
                continue;
            }

            var key = string.Join('|', views.Select(v => v.Owners[slot] ?? "-"));
            if (!patterns.TryGetValue(key, out var slots))
            {
                patterns[key] = slots = [];
            }

            slots.Add(slot);
        }

        foreach (var slots in patterns.Values)
        {
            var slot = slots[0];
            var claims = views.GroupBy(v => v.Owners[slot] ?? string.Empty)
                .Select(g => $"{string.Join(", ", g.Select(v => v.Viewer.Node.Endpoint))} {(g.Count() == 1 ? "says" : "say")} " +
                             (g.Key.Length == 0 ? "nobody" : observations.EndpointOf(g.Key)));
            var nodeIds = views.Select(v => v.Viewer.Node.Id).Concat(views.Select(v => v.Owners[slot]).OfType<string>()).Distinct(StringComparer.OrdinalIgnoreCase);
            var set = SlotRangeSet.FromSlots(slots);
            yield return DoctorFinding.Create(
                DoctorKinds.SlotOwnerDisagreement,
                DoctorSeverity.Error,
                nodeIds,
                set,
                $"Primaries disagree about who owns slot(s) {set}: {string.Join("; ", claims)}. Gossip settles a disagreement within seconds; " +
                "if it lasts, find which node holds the keys (CLUSTER COUNTKEYSINSLOT on each), then make that node the owner everywhere: " +
                "CLUSTER SETSLOT <slot> NODE <owner-id> on every primary, or CLUSTER ADDSLOTSRANGE on the owner where it does not claim them, then CLUSTER BUMPEPOCH on it.");
        }
    }
}
