using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Doctor.Checks;

/// <summary>Nodes running different servers or versions: expected only during a rolling upgrade.</summary>
public sealed class MixedVersionsCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Check(DoctorObservations observations)
    {
        var versions = observations.Snapshot.Nodes.Where(n => n.Version is not null)
            .GroupBy(n => $"{n.Product} {n.Version}", StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        if (versions.Count < 2)
        {
            yield break;
        }

        var listing = versions.Select(g => $"{g.Key} on {string.Join(", ", g.Select(n => n.Endpoint).Order(StringComparer.Ordinal))}");
        yield return DoctorFinding.Create(
            DoctorKinds.MixedVersions, DoctorSeverity.Warning, versions.SelectMany(g => g.Select(n => n.Id)), SlotRangeSet.Empty,
            $"The nodes run {versions.Count} different versions: {string.Join("; ", listing)}. That is meant only for the time of a rolling upgrade: " +
            "finish it (the dashboard uses only what every node involved offers, e.g. no atomic migration to or from an older node).");
    }
}
