using Bunit;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

public class ClusterStateChipTests : DashboardTestContext
{
    [Theory]
    [InlineData(ClusterState.Ok, "cluster ok")]
    [InlineData(ClusterState.Fail, "cluster fail")]
    [InlineData(ClusterState.Unreachable, "unreachable")]
    [InlineData(ClusterState.Unknown, "connecting…")]
    public void Chip_names_the_state(ClusterState state, string text)
    {
        var cut = Render<ClusterStateChip>(p => p.Add(c => c.Snapshot, TestSnapshots.Ok() with { State = state }));

        Assert.Equal(text, cut.Find("[data-testid='cluster-state']").TextContent.Trim());
    }
}
