using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Hosting;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Migrations;

/// <summary>Nodes dying in the middle of a migration; each test owns its cluster.</summary>
[Collection(OwnClustersCollection.Name)]
public class MigrationFaultTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Killing_the_target_mid_migration_fails_it_with_Valkeys_message_and_the_source_keeps_every_key()
    {
        await using var migrations = await MigrationCluster.StartAsync();
        var primaries = await migrations.PrimariesAsync();
        var (source, target) = (primaries[0], primaries[1]);
        var slots = await migrations.SlotsOfAsync(source, 200);
        var keysBefore = await migrations.CountKeysAsync(source.Endpoint, slots);
        var targetPort = int.Parse(target.Endpoint.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

        Migration failed;
        await using (await MigrationHold.OnAsync(migrations.Cluster.Connection, source.Endpoint))
        {
            var start = await migrations.Service.StartAsync(new MigrationRequest(slots.ToString(), target.Id, "test"));
            await migrations.Service.WaitForAsync(start.Migration.Id, m => m.Jobs[0].ValkeyState == "waiting-to-pause", Deadline);

            migrations.Cluster.Host.KillNode(targetPort);
            failed = await migrations.Service.WaitForAsync(start.Migration.Id, m => m.IsFinished, Deadline);
        }

        Assert.Equal(MigrationState.Failed, failed.State);
        Assert.Equal("failed", failed.Jobs[0].ValkeyState);
        Assert.False(string.IsNullOrWhiteSpace(failed.Jobs[0].Message));
        Assert.Contains(failed.Jobs[0].Message!, failed.Error, StringComparison.Ordinal);
        Assert.Equal(keysBefore, await migrations.CountKeysAsync(source.Endpoint, slots));
        Assert.True(slots.Except(await migrations.OwnedByAsync(source)).IsEmpty);
        Assert.Empty(migrations.Service.Active);

        // The dashboard carries on: once the dead target's replica has taken over, the next migration works.
        await migrations.Cluster.Monitor.WaitForAsync(
            s => s.State == ClusterState.Ok && s.SlotOwners.All(owner => owner != target.Id && s.FindNode(owner!)?.Health == NodeHealth.Online),
            Deadline);
        var next = await migrations.Service.StartAsync(new MigrationRequest((await migrations.SlotsOfAsync(source, 5)).ToString(), primaries[2].Id, "test"));
        Assert.Equal(MigrationState.Succeeded, (await migrations.Service.WaitForAsync(next.Migration.Id, m => m.IsFinished, Deadline)).State);
    }
}
