using Bunit;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>For an operator on the embedded cluster a card offers stop, start and add replica; otherwise none of them.</summary>
public class NodeCardManagementTests : DashboardTestContext
{
    [Fact]
    public async Task Online_nodes_offer_stop_failed_ones_start_and_the_card_add_replica_each_reporting_its_node()
    {
        var asked = new List<string>();
        var cut = Render<NodeCard>(p => p
            .Add(c => c.Primary, TestSnapshots.Primary(0))
            .Add(c => c.Replicas, [TestSnapshots.Replica(0, NodeHealth.Failed)])
            .Add(c => c.ManagesNodes, true)
            .Add(c => c.StopRequested, id => asked.Add($"stop {id}"))
            .Add(c => c.StartRequested, id => asked.Add($"start {id}"))
            .Add(c => c.AddReplicaRequested, id => asked.Add($"add-replica {id}")));

        Assert.Empty(cut.FindAll($"[data-testid='node-start-{TestSnapshots.PrimaryIds[0]}']"));
        Assert.Empty(cut.FindAll($"[data-testid='node-stop-{TestSnapshots.ReplicaIds[0]}']"));
        await cut.Find($"[data-testid='node-stop-{TestSnapshots.PrimaryIds[0]}']").ClickAsync(new MouseEventArgs());
        await cut.Find($"[data-testid='node-start-{TestSnapshots.ReplicaIds[0]}']").ClickAsync(new MouseEventArgs());
        await cut.Find($"[data-testid='add-replica-{TestSnapshots.PrimaryIds[0]}']").ClickAsync(new MouseEventArgs());

        Assert.Equal([$"stop {TestSnapshots.PrimaryIds[0]}", $"start {TestSnapshots.ReplicaIds[0]}", $"add-replica {TestSnapshots.PrimaryIds[0]}"], asked);
    }

    [Fact]
    public void The_controls_of_a_node_with_a_command_in_flight_wait_and_the_others_do_not()
    {
        var cut = Render<NodeCard>(p => p
            .Add(c => c.Primary, TestSnapshots.Primary(0))
            .Add(c => c.Replicas, [TestSnapshots.Replica(0)])
            .Add(c => c.ManagesNodes, true)
            .Add(c => c.Busy, new HashSet<string> { TestSnapshots.PrimaryIds[0] }));

        Assert.True(cut.Find($"[data-testid='node-stop-{TestSnapshots.PrimaryIds[0]}']").HasAttribute("disabled"));
        Assert.True(cut.Find($"[data-testid='add-replica-{TestSnapshots.PrimaryIds[0]}']").HasAttribute("disabled"));
        Assert.False(cut.Find($"[data-testid='node-stop-{TestSnapshots.ReplicaIds[0]}']").HasAttribute("disabled"));
    }

    [Fact]
    public void Without_node_management_the_card_has_no_node_controls()
    {
        var cut = Render<NodeCard>(p => p.Add(c => c.Primary, TestSnapshots.Primary(0)).Add(c => c.Replicas, [TestSnapshots.Replica(0)]));

        Assert.Empty(cut.FindAll("[data-testid^='node-stop-'], [data-testid^='node-start-'], [data-testid^='add-replica-']"));
    }
}
