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
