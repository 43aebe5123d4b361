using StackExchange.Redis;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using SlotRangeSet = ValkeyDashboard.Cluster.Model.SlotRangeSet;

namespace ValkeyDashboard.IntegrationTests.Migrations;

/// <summary>Clients keep writing and reading the moving slots: nothing is lost and no command fails.</summary>
[Collection(MigrationClusterCollection.Name)]
public class MigrationUnderLoadTests(MigrationClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private MigrationCluster Migrations => fixture.Migrations;

    [Fact]
    public async Task Writes_and_reads_during_a_migration_lose_no_key_and_fail_no_command()
    {
        var primaries = await Migrations.PrimariesAsync();
        var source = primaries[0];
        var target = primaries[1];
        var slots = SlotRangeSet.FromSlots((await Migrations.OwnedByAsync(source)).Slots().Take(200));
        await using var client = await Migrations.Cluster.ConnectClientAsync();
        var keys = Enumerable.Range(0, 400_000).Select(i => $"load:{i}").Where(k => slots.Contains(client.HashSlot(k))).Take(2_000).ToArray();
        Assert.Equal(2_000, keys.Length);

        using var load = new ClientLoad(client.GetDatabase(), keys, writers: 4);
        await load.WaitForOperationsAsync(2_000, Deadline);

        // Hold the migration before its final pause so that the load runs through snapshot and replication.
        Migration migration;
        await using (var hold = await MigrationHold.OnAsync(Migrations.Cluster.Connection, source.Endpoint))
        {
            var start = await Migrations.Service.StartAsync(new MigrationRequest(slots, target.Id, "test"));
            await Migrations.Service.WaitForAsync(start.Migration.Id, m => m.Jobs[0].ValkeyState == "waiting-to-pause", Deadline);
            await load.WaitForOperationsAsync(load.Operations + 5_000, Deadline);
            await hold.ReleaseAsync();
            migration = await Migrations.Service.WaitForAsync(start.Migration.Id, m => m.IsFinished, Deadline);
        }

        // Keep the load going after the cutover: the clients now follow MOVED to the target.
        await load.WaitForOperationsAsync(load.Operations + 5_000, Deadline);
        await load.StopAsync();

        Assert.Equal(MigrationState.Succeeded, migration.State);
        Assert.Empty(load.Failures);
        Assert.Equal(0, load.StaleReads);
        var db = client.GetDatabase();
        foreach (var (key, value) in load.LastWritten)
        {
            Assert.Equal(value, (long)await db.StringGetAsync(key));
        }

        // Every key the load wrote lives in the moved slots, so the target holds all of them.
        Assert.Equal(load.LastWritten.Count, await CountLoadKeysAsync(client, target.Endpoint));
    }

    private static async Task<long> CountLoadKeysAsync(ConnectionMultiplexer client, string endpoint)
    {
        var server = client.GetServer(endpoint);
        long count = 0;
        await foreach (var _ in server.KeysAsync(pattern: "load:*", pageSize: 1000))
        {
            count++;
        }

        return count;
    }
}
