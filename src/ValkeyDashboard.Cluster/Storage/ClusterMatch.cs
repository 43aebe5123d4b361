namespace ValkeyDashboard.Cluster.Storage;

/// <summary>Which known cluster a set of node ids belongs to (pure; <see cref="DashboardDatabase"/> keeps the known ones).</summary>
public static class ClusterMatch
{
    /// <summary>A cluster the dashboard has seen: its id and every node id seen in it.</summary>
    public sealed record KnownCluster(string Id, IReadOnlyCollection<string> NodeIds);

    /// <summary>
    /// The id of the known cluster that shares the most node ids with <paramref name="seen"/> (on a tie the first in
    /// <paramref name="known"/>, which lists the most recently seen first), or null when none shares any.
    /// </summary>
    public static string? Find(IReadOnlyList<KnownCluster> known, IReadOnlyCollection<string> seen)
    {
        var seenSet = seen as IReadOnlySet<string> ?? new HashSet<string>(seen, StringComparer.Ordinal);
        string? best = null;
        var bestShared = 0;
        foreach (var cluster in known)
        {
            var shared = cluster.NodeIds.Count(seenSet.Contains);
            if (shared > bestShared)
            {
                (best, bestShared) = (cluster.Id, shared);
            }
        }

        return best;
    }
}
