using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Tests;

public class SlotLayerAvailabilityTests
{
    private static readonly (ServerProduct Product, string Version, NodeCapabilities Capabilities) Valkey9 =
        (ServerProduct.Valkey, "9.1.2", NodeCapabilityNames.FromVersion(ServerProduct.Valkey, "9.1.2"));

    private static readonly (ServerProduct Product, string Version, NodeCapabilities Capabilities) Valkey8StatsOff =
        (ServerProduct.Valkey, "8.0.1", NodeCapabilityNames.FromVersion(ServerProduct.Valkey, "8.0.1") & ~NodeCapabilities.SlotStatsLoad);

    private static readonly (ServerProduct Product, string Version, NodeCapabilities Capabilities) Redis7 =
        (ServerProduct.Redis, "7.0.15", NodeCapabilityNames.FromVersion(ServerProduct.Redis, "7.0.15"));

    [Fact]
    public void Valkey_with_slot_statistics_on_reports_every_layer()
    {
        var availability = SlotLayerAvailability.Of(Snapshot(Valkey9, Valkey9, Valkey9));

        Assert.True(availability.LoadAvailable);
        Assert.Null(availability.LoadUnavailableReason);
        Assert.Null(availability.SweptKeysNote);
    }

    [Fact]
    public void A_redis_cluster_lacks_the_load_layers_because_it_has_no_slot_stats_and_its_keys_are_swept()
    {
        var availability = SlotLayerAvailability.Of(Snapshot(Redis7, Redis7, Redis7));

        Assert.False(availability.LoadAvailable);
        Assert.Equal("CPU and network per slot need CLUSTER SLOT-STATS (Valkey 8+); this cluster runs Redis 7.0.15.", availability.LoadUnavailableReason);
        Assert.Equal("Keys per slot of every primary are counted with CLUSTER COUNTKEYSINSLOT sweeps, less often than the other figures.", availability.SweptKeysNote);
    }

    [Fact]
    public void Valkey_8_with_slot_statistics_off_says_which_setting_to_change()
    {
        var availability = SlotLayerAvailability.Of(Snapshot(Valkey8StatsOff, Valkey8StatsOff, Valkey8StatsOff));

        Assert.Equal("CPU and network per slot are off on the primaries (cluster-slot-stats-enabled no).", availability.LoadUnavailableReason);
        Assert.Null(availability.SweptKeysNote);
    }

    [Fact]
    public void A_mixed_cluster_names_the_primaries_that_lack_the_load_metrics()
    {
        var availability = SlotLayerAvailability.Of(Snapshot(Valkey9, Redis7, Valkey8StatsOff));

        Assert.Equal(
            "CPU and network per slot need CLUSTER SLOT-STATS (Valkey 8+); 127.0.0.1:7001 run Redis 7.0.15. " +
            "CPU and network per slot are off on 127.0.0.1:7002 (cluster-slot-stats-enabled no).",
            availability.LoadUnavailableReason);
        Assert.Equal("Keys per slot of 127.0.0.1:7001 are counted with CLUSTER COUNTKEYSINSLOT sweeps, less often than the other figures.", availability.SweptKeysNote);
    }

    [Fact]
    public void Primaries_that_did_not_answer_or_own_no_slots_do_not_count()
    {
        var snapshot = Snapshot(Valkey9, Redis7, Valkey9);
        snapshot = snapshot with
        {
            Nodes = [snapshot.Nodes[0], snapshot.Nodes[1] with { Capabilities = NodeCapabilities.None, Product = ServerProduct.Unknown }, snapshot.Nodes[2]],
        };

        Assert.True(SlotLayerAvailability.Of(snapshot).LoadAvailable);
    }

    /// <summary>Three primaries on 7000-7002 owning a third of the slots each, with the given servers; CPU figures only where reported.</summary>
    private static ClusterSnapshot Snapshot(params (ServerProduct Product, string Version, NodeCapabilities Capabilities)[] servers)
    {
        var nodes = servers.Select((s, i) => new ClusterNode(
            new string((char)('a' + i), 40), $"127.0.0.1:{7000 + i}", NodeRole.Primary, null, NodeHealth.Online, s.Version,
            SlotRangeSet.From([new SlotRange(i * 5000, i * 5000 + 4999)]), 0, 0, 0, new string((char)('d' + i), 40), 0)
        {
            Product = s.Product,
            Capabilities = s.Capabilities,
        }).ToImmutableArray();
        var anyLoad = servers.Any(s => s.Capabilities.HasFlag(NodeCapabilities.SlotStatsLoad));
        return ClusterSnapshot.Initial with
        {
            State = ClusterState.Ok,
            Nodes = nodes,
            SlotStatistics = new SlotStatistics(new long[SlotRange.SlotCount], anyLoad ? new long[SlotRange.SlotCount] : null, null, null),
            Timestamp = DateTimeOffset.UnixEpoch,
        };
    }
}
