using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Doctor.Checks;

/// <summary>Each answering primary's own view of who owns every slot (from its <c>CLUSTER NODES</c>).</summary>
internal static class SlotViews
{
    /// <summary>Per primary that answered (endpoint order): the owner id of each of the 16,384 slots, null where unassigned.</summary>
    public static IReadOnlyList<(NodeObservation Viewer, string?[] Owners)> OfPrimaries(DoctorObservations observations)
    {
        var views = new List<(NodeObservation, string?[])>();
        foreach (var viewer in observations.Answered.Where(n => n.Node.IsPrimary))
        {
            var owners = new string?[SlotRange.SlotCount];
            foreach (var entry in viewer.View)
            {
                foreach (var slot in entry.Slots.Slots())
                {
                    owners[slot] = entry.Id;
                }
            }

            views.Add((viewer, owners));
        }

        return views;
    }

    /// <summary>"127.0.0.1:7000, 127.0.0.1:7001".</summary>
    public static string Endpoints(DoctorObservations observations, IEnumerable<string> nodeIds) =>
        string.Join(", ", nodeIds.Select(observations.EndpointOf));
}
