using System.Collections.Immutable;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Model;

using SlotRange = ValkeyDashboard.Cluster.Model.SlotRange;

namespace ValkeyDashboard.Cluster.Parsing;

/// <summary>One node as <c>CLUSTER SHARDS</c> describes it.</summary>
public sealed record ShardNode(
    string Id,
    string Ip,
    string? Hostname,
    int Port,
    bool IsTlsPort,
    NodeRole Role,
    long ReplicationOffset,
    NodeHealth Health)
{
    /// <summary>host:port for clients: the IP and the (TLS or plain) port.</summary>
    public string Endpoint => $"{Ip}:{Port}";
}

/// <summary>One shard as <c>CLUSTER SHARDS</c> describes it: its slots and its nodes.</summary>
public sealed record ShardInfo(string Id, SlotRangeSet Slots, ImmutableArray<ShardNode> Nodes)
{
    /// <summary>
    /// The shard's serving primary: after a failover the old primary stays listed with role primary and health
    /// failed until it returns as a replica, so an online primary is preferred. Null while a shard has none.
    /// </summary>
    public ShardNode? Primary => Nodes.Where(n => n.Role == NodeRole.Primary).OrderBy(n => n.Health == NodeHealth.Online ? 0 : 1).FirstOrDefault();

    /// <summary>Nodes listed as primary that do not serve the shard (failed former primaries).</summary>
    public IEnumerable<ShardNode> FormerPrimaries => Nodes.Where(n => n.Role == NodeRole.Primary && n != Primary);
}

/// <summary>Parses the reply of <c>CLUSTER SHARDS</c>.</summary>
public static class ClusterShardsParser
{
    public static ImmutableArray<ShardInfo> Parse(RedisResult reply)
    {
        var shards = ImmutableArray.CreateBuilder<ShardInfo>();
        foreach (var shardReply in ReplyReader.ReadArray(reply, "CLUSTER SHARDS"))
        {
            var shard = ReplyReader.ReadMap(shardReply, "CLUSTER SHARDS shard");
            var id = shard.GetString("id") ?? string.Empty;
            var slots = ParseSlots(shard.TryGetValue("slots", out var s) ? s : null);
            var nodes = shard.TryGetValue("nodes", out var n)
                ? ReplyReader.ReadArray(n, "CLUSTER SHARDS nodes").Select(ParseNode).ToImmutableArray()
                : [];
            shards.Add(new ShardInfo(id, slots, nodes));
        }

        return shards.ToImmutable();
    }

    private static SlotRangeSet ParseSlots(RedisResult? reply)
    {
        if (reply is null || reply.IsNull)
        {
            return SlotRangeSet.Empty;
        }

        var bounds = ReplyReader.ReadArray(reply, "CLUSTER SHARDS slots");
        if (bounds.Length % 2 != 0)
        {
            throw new ValkeyReplyException("CLUSTER SHARDS slots: expected start/end pairs");
        }

        var ranges = new List<SlotRange>(bounds.Length / 2);
        for (var i = 0; i < bounds.Length; i += 2)
        {
            ranges.Add(new SlotRange(
                (int)ReplyReader.ToInt64(bounds[i], "CLUSTER SHARDS slot"),
                (int)ReplyReader.ToInt64(bounds[i + 1], "CLUSTER SHARDS slot")));
        }

        return SlotRangeSet.From(ranges);
    }

    private static ShardNode ParseNode(RedisResult reply)
    {
        var node = ReplyReader.ReadMap(reply, "CLUSTER SHARDS node");
        var id = node.GetRequiredString("id", "CLUSTER SHARDS node");
        var tlsPort = node.GetInt64("tls-port");
        var port = node.GetInt64("port");
        var ip = node.GetString("ip") ?? node.GetString("endpoint") ?? string.Empty;
        var hostname = node.GetString("hostname");
        return new ShardNode(
            id,
            ip,
            string.IsNullOrEmpty(hostname) ? null : hostname,
            (int)(tlsPort ?? port ?? 0),
            tlsPort is not null,
            ParseRole(node.GetString("role")),
            node.GetInt64("replication-offset") ?? 0,
            ParseHealth(node.GetString("health")));
    }

    /// <summary>Valkey says "master" or "primary" for primaries and "replica" or "slave" for replicas.</summary>
    internal static NodeRole ParseRole(string? role) => role?.ToLowerInvariant() switch
    {
        "master" or "primary" => NodeRole.Primary,
        "replica" or "slave" => NodeRole.Replica,
        _ => throw new ValkeyReplyException($"CLUSTER SHARDS: unknown role '{role}'"),
    };

    internal static NodeHealth ParseHealth(string? health) => health?.ToLowerInvariant() switch
    {
        "online" => NodeHealth.Online,
        "loading" => NodeHealth.Loading,
        _ => NodeHealth.Failed,
    };
}
