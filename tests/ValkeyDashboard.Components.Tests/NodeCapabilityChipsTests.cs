using Bunit;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

public class NodeCapabilityChipsTests : DashboardTestContext
{
    [Fact]
    public void A_valkey_9_primary_shows_its_version_and_every_capability_as_a_chip()
    {
        var cut = Render<NodeCard>(p => p.Add(c => c.Primary, TestSnapshots.Primary(0)));

        Assert.Contains("Valkey 9.1.2", cut.Find($"[data-testid='node-card-{TestSnapshots.PrimaryIds[0]}']").TextContent, StringComparison.Ordinal);
        var chips = cut.FindAll($"[data-testid='node-capabilities-{TestSnapshots.PrimaryIds[0]}'] [data-capability]");
        Assert.Equal(
            ["cluster-shards", "slot-stats", "slot-stats-load", "atomic-slot-migration", "key-migration"],
            chips.Select(c => c.GetAttribute("data-capability")));
        Assert.Equal(["SHARDS", "SLOT-STATS", "slot load", "atomic", "key-by-key"], chips.Select(c => c.TextContent.Trim()));
    }

    [Fact]
    public void A_redis_7_primary_shows_redis_and_only_what_redis_offers()
    {
        var cut = Render<NodeCard>(p => p.Add(c => c.Primary, TestSnapshots.RedisPrimary(1)));

        Assert.Contains("Redis 7.0.15", cut.Find($"[data-testid='node-card-{TestSnapshots.PrimaryIds[1]}']").TextContent, StringComparison.Ordinal);
        Assert.Equal(
            ["cluster-shards", "key-migration"],
            cut.FindAll($"[data-testid='node-capabilities-{TestSnapshots.PrimaryIds[1]}'] [data-capability]").Select(c => c.GetAttribute("data-capability")));
    }

    [Fact]
    public void A_primary_that_did_not_answer_shows_no_capabilities_rather_than_guessing()
    {
        var silent = TestSnapshots.Primary(2, NodeHealth.Failed) with { Version = null, Product = ServerProduct.Unknown, Capabilities = NodeCapabilities.None };

        var cut = Render<NodeCard>(p => p.Add(c => c.Primary, silent));

        Assert.Empty(cut.FindAll($"[data-testid='node-capabilities-{TestSnapshots.PrimaryIds[2]}']"));
        Assert.Contains("version unknown", cut.Markup, StringComparison.Ordinal);
    }
}
