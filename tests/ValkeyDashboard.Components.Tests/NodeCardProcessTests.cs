using System.Collections.Immutable;
using Bunit;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// A card shows what the embedded cluster's host knows of each node's process: a node adopted from an earlier run has an
/// "adopted" chip with its pid on hover; a node whose process differs from the configuration says how, as a warning
/// (a rolling restart applies it); nodes with neither show nothing extra.
/// </summary>
public class NodeCardProcessTests : DashboardTestContext
{
    private const string Drift = "runs Valkey 9.1.1 from /old/valkey-server; the configured binaries are Valkey 9.1.2 in /new: a rolling restart upgrades it";

    private static NodeProcess? ProcessOf(string endpoint) => endpoint switch
    {
        "127.0.0.1:7000" => new NodeProcess(4242, Adopted: true, []),
        "127.0.0.1:7003" => new NodeProcess(4343, Adopted: true, [Drift]),
        "127.0.0.1:7001" => new NodeProcess(4444, Adopted: false, []),
        _ => null,
    };

    private IRenderedComponent<NodeCard> RenderCard(int i) => Render<NodeCard>(p => p
        .Add(c => c.Primary, TestSnapshots.Primary(i))
        .Add(c => c.Replicas, [TestSnapshots.Replica(i)])
        .Add(c => c.ProcessOf, ProcessOf));

    [Fact]
    public void An_adopted_node_has_a_chip_with_its_pid_on_hover()
    {
        var cut = RenderCard(0);

        var chip = cut.Find($"[data-testid='node-adopted-{TestSnapshots.PrimaryIds[0]}']");
        Assert.Equal("adopted", chip.Text());
        Assert.Contains("pid 4242", chip.GetAttribute("title"), StringComparison.Ordinal);
        Assert.NotNull(cut.Find($"[data-testid='node-adopted-{TestSnapshots.ReplicaIds[0]}']"));
    }

    [Fact]
    public void A_drifted_node_says_how_it_differs_as_a_warning_and_the_others_say_nothing()
    {
        var cut = RenderCard(0);

        var warning = cut.Find($"[data-testid='node-drift-{TestSnapshots.ReplicaIds[0]}']");
        Assert.Equal($"127.0.0.1:7003 {Drift}", warning.Text());
        Assert.Contains("mud-alert-text-warning", warning.ClassName, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll($"[data-testid='node-drift-{TestSnapshots.PrimaryIds[0]}']"));
    }

    [Fact]
    public void A_node_this_run_started_and_one_the_host_does_not_run_show_neither()
    {
        var started = RenderCard(1);
        var external = Render<NodeCard>(p => p.Add(c => c.Primary, TestSnapshots.Primary(2)).Add(c => c.Replicas, [TestSnapshots.Replica(2)]));

        Assert.Empty(started.FindAll("[data-testid^='node-adopted-'], [data-testid^='node-drift-']"));
        Assert.Empty(external.FindAll("[data-testid^='node-adopted-'], [data-testid^='node-drift-']"));
    }
}
