using System.Collections.Immutable;
using System.Globalization;

namespace ValkeyDashboard.Cluster.Parsing;

/// <summary>One replica as its primary's <c>INFO replication</c> lists it (<c>slave0:ip=…,port=…,state=online,offset=…,lag=…</c>).</summary>
/// <param name="Endpoint">ip:port of the replica.</param>
/// <param name="State">online, wait_bgsave, send_bulk…</param>
/// <param name="Offset">Replication offset the replica acknowledged.</param>
/// <param name="LagSeconds">Seconds since its last acknowledgement.</param>
public sealed record ReplicaLink(string Endpoint, string State, long Offset, long LagSeconds)
{
    public bool IsOnline => State == "online";
}

/// <summary>The replication fields of <c>INFO replication</c>, on a primary and on a replica.</summary>
public static class ReplicationInfo
{
    /// <summary>The replicas a primary lists, in its order.</summary>
    public static ImmutableArray<ReplicaLink> Replicas(InfoReply info)
    {
        var replicas = ImmutableArray.CreateBuilder<ReplicaLink>();
        for (var i = 0; info[$"slave{i.ToString(CultureInfo.InvariantCulture)}"] is { } line; i++)
        {
            var fields = line.Split(',')
                .Select(f => f.Split('=', 2))
                .Where(kv => kv.Length == 2)
                .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
            var ip = fields.GetValueOrDefault("ip", "?");
            replicas.Add(new ReplicaLink(
                $"{(ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : ip)}:{fields.GetValueOrDefault("port", "?")}",
                fields.GetValueOrDefault("state", "unknown"),
                long.TryParse(fields.GetValueOrDefault("offset"), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : 0,
                long.TryParse(fields.GetValueOrDefault("lag"), NumberStyles.None, CultureInfo.InvariantCulture, out var lag) ? lag : long.MaxValue));
        }

        return replicas.ToImmutable();
    }

    /// <summary>On a replica: its link to the primary is up and no full sync is under way.</summary>
    public static bool IsLinkUp(InfoReply info) =>
        info["master_link_status"] == "up" && info.GetInt64("master_sync_in_progress") is null or 0;
}
