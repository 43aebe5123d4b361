using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Doctor.Checks;

/// <summary>A primary and a replica of it on the same host: losing the host loses the shard (fine for a test cluster).</summary>
public sealed class ReplicaOnSameHostCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Check(DoctorObservations observations)
    {
        var snapshot = observations.Snapshot;
        foreach (var primary in snapshot.Primaries)
        {
            var host = HostOf(primary.Endpoint);
            var beside = snapshot.ReplicasOf(primary.Id).Where(r => string.Equals(HostOf(r.Endpoint), host, StringComparison.OrdinalIgnoreCase)).ToList();
            if (beside.Count == 0)
            {
                continue;
            }

            yield return DoctorFinding.Create(
                DoctorKinds.ReplicaOnSameHost, DoctorSeverity.Info, [primary.Id, .. beside.Select(r => r.Id)], SlotRangeSet.Empty,
                $"{primary.Endpoint} and its replica(s) {string.Join(", ", beside.Select(r => r.Endpoint))} run on the same host {host}: " +
                "losing that host loses the shard. Fine for a test cluster; in production put a primary and its replicas on different hosts.");
        }
    }

    private static string HostOf(string endpoint) => endpoint[..Math.Max(0, endpoint.LastIndexOf(':'))];
}
