using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Components.Tests;

/// <summary>Snapshots of a 3-primary, 3-replica cluster as the monitor would publish them.</summary>
internal static class TestSnapshots
{
    public static readonly string[] PrimaryIds =
    [
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1",
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2",
        "ccccccccccccccccccccccccccccccccccccccc3",
    ];

    public static readonly string[] ReplicaIds =
    [
        "ddddddddddddddddddddddddddddddddddddddd4",
        "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee5",
        "fffffffffffffffffffffffffffffffffffffff6",
    ];

    private static readonly SlotRangeSet[] Shares =
    [
        SlotRangeSet.Parse("0-5460"),
        SlotRangeSet.Parse("5461-10921"),
        SlotRangeSet.Parse("10922-16383"),
    ];

    public static ClusterNode Primary(int i, NodeHealth health = NodeHealth.Online) =>
        new(PrimaryIds[i], $"127.0.0.1:{7000 + i}", NodeRole.Primary, null, health, "9.1.2", Shares[i], 1000 * (i + 1), 3_145_728, 42, $"shard{i}", 100)
        {
            ReplicaIds = [ReplicaIds[i]],
            Error = health == NodeHealth.Failed ? "Connection refused" : null,
            Product = ServerProduct.Valkey,
            Capabilities = NodeCapabilityNames.FromVersion(ServerProduct.Valkey, "9.1.2"),
        };

    /// <summary>A primary as a Redis server of <paramref name="version"/> answers: no CLUSTER SLOT-STATS, no atomic migration.</summary>
    public static ClusterNode RedisPrimary(int i, string version = "7.0.15") => Primary(i) with
    {
        Version = version,
        Product = ServerProduct.Redis,
        Capabilities = NodeCapabilityNames.FromVersion(ServerProduct.Redis, version),
    };

    public static ClusterNode Replica(int i, NodeHealth health = NodeHealth.Online) =>
        new(ReplicaIds[i], $"127.0.0.1:{7003 + i}", NodeRole.Replica, PrimaryIds[i], health, "9.1.2", Shares[i], 1000 * (i + 1), 2_097_152, 0, $"shard{i}", 100)
        {
            Error = health == NodeHealth.Failed ? "Connection refused" : null,
        };

    public static ClusterSnapshot Ok(long version = 1, int failedReplica = -1, SlotStatistics? statistics = null)
    {
        var owners = new string?[SlotRange.SlotCount];
        for (var i = 0; i < 3; i++)
        {
            foreach (var range in Shares[i])
            {
                Array.Fill(owners, PrimaryIds[i], range.Start, range.Count);
            }
        }

        return new ClusterSnapshot
        {
            State = ClusterState.Ok,
            SlotsAssigned = SlotRange.SlotCount,
            Nodes = [Primary(0), Primary(1), Primary(2), Replica(0, failedReplica == 0 ? NodeHealth.Failed : NodeHealth.Online), Replica(1), Replica(2)],
            SlotOwners = [.. owners],
            SlotStatistics = statistics ?? SlotStatistics.Empty,
            Timestamp = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero).AddSeconds(version),
            Version = version,
        };
    }

    /// <summary>
    /// A cluster of <paramref name="primaries"/> primaries with one replica each: primary i is 127.0.0.1:(10000 + i)
    /// with id <see cref="ManyId"/>(i) and an equal share of the slots, its replica 127.0.0.1:(20000 + i).
    /// </summary>
    public static ClusterSnapshot Many(int primaries, long version = 1)
    {
        var owners = new string?[SlotRange.SlotCount];
        var nodes = new List<ClusterNode>();
        for (var i = 0; i < primaries; i++)
        {
            var start = i * SlotRange.SlotCount / primaries;
            var end = ((i + 1) * SlotRange.SlotCount / primaries) - 1;
            Array.Fill(owners, ManyId(i), start, end - start + 1);
            var slots = SlotRangeSet.Parse($"{start}-{end}");
            nodes.Add(new ClusterNode(ManyId(i), $"127.0.0.1:{10000 + i}", NodeRole.Primary, null, NodeHealth.Online, "9.1.2", slots, 100 * (i + 1), 1_048_576, i, $"shard{i}", 1)
            {
                ReplicaIds = [ManyId(i, replica: true)],
                Product = ServerProduct.Valkey,
                Capabilities = NodeCapabilityNames.FromVersion(ServerProduct.Valkey, "9.1.2"),
            });
        }

        for (var i = 0; i < primaries; i++)
        {
            nodes.Add(new ClusterNode(ManyId(i, replica: true), $"127.0.0.1:{20000 + i}", NodeRole.Replica, ManyId(i), NodeHealth.Online, "9.1.2", nodes[i].Slots, 100 * (i + 1), 1_048_576, 0, $"shard{i}", 1));
        }

        return new ClusterSnapshot
        {
            State = ClusterState.Ok,
            SlotsAssigned = SlotRange.SlotCount,
            Nodes = [.. nodes],
            SlotOwners = [.. owners],
            SlotStatistics = SlotStatistics.Empty,
            Timestamp = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero).AddSeconds(version),
            Version = version,
        };
    }

    /// <summary>The id of primary <paramref name="i"/> of <see cref="Many"/> (or of its replica): 40 hex digits.</summary>
    public static string ManyId(int i, bool replica = false) => $"{(replica ? "b" : "a")}{i:x39}";

    /// <summary>The id of the empty primary <see cref="WithEmptyPrimary"/> adds.</summary>
    public const string EmptyPrimaryId = "9999999999999999999999999999999999999997";

    /// <summary><see cref="Ok"/> with a fourth primary, 127.0.0.1:7006, that holds no slots (just added).</summary>
    public static ClusterSnapshot WithEmptyPrimary(long version = 1)
    {
        var ok = Ok(version);
        return ok with
        {
            Nodes = ok.Nodes.Add(new ClusterNode(EmptyPrimaryId, "127.0.0.1:7006", NodeRole.Primary, null, NodeHealth.Online, "9.1.2", SlotRangeSet.Empty, 0, 1_048_576, 0, "shard3", 0)),
        };
    }

    /// <summary>Slot statistics with <paramref name="keys"/> per slot as given (others 0) and no CPU or network figures.</summary>
    public static SlotStatistics Keys(params (int Slot, long Keys)[] keys)
    {
        var counts = new long[SlotRange.SlotCount];
        foreach (var (slot, count) in keys)
        {
            counts[slot] = count;
        }

        return new SlotStatistics(counts, null, null, null);
    }

    public static ClusterSnapshot Unreachable(ClusterSnapshot previous) => previous with
    {
        State = ClusterState.Unreachable,
        Error = "no node of the cluster answered",
        Nodes = [.. previous.Nodes.Select(n => n with { Health = NodeHealth.Failed })],
        Version = previous.Version + 1,
    };
}
