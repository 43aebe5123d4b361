using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Migrations;

/// <summary>Moving slots with the migration service: ownership and keys are right afterwards.</summary>
[Collection(MigrationClusterCollection.Name)]
public class SlotMigrationTests(MigrationClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private MigrationCluster Migrations => fixture.Migrations;

    [Fact]
    public async Task One_slot_moves_with_its_keys()
    {
        var primaries = await Migrations.PrimariesAsync();
        var slots = await Migrations.SlotsOfAsync(primaries[0], 1);

        var migration = await MoveAndWaitAsync(slots, primaries[0], primaries[1]);

        var job = Assert.Single(migration.Jobs);
        Assert.Equal(primaries[0].Id, job.SourceNodeId);
        var slot = slots.Ranges[0].Start;
        Assert.Equal($"{slot}-{slot}", await ValkeyJobRangesAsync(primaries[1].Endpoint, job.ValkeyJobName));
    }

    [Fact]
    public async Task A_range_moves_with_its_keys()
    {
        var primaries = await Migrations.PrimariesAsync();
        var owned = (await Migrations.OwnedByAsync(primaries[1])).Ranges.Last();
        var slots = SlotRangeSet.From([new SlotRange(owned.End - 99, owned.End)]);

        var migration = await MoveAndWaitAsync(slots, primaries[1], primaries[2]);

        Assert.Equal(1, migration.Progress);
        // Valkey ran it as the one range asked for.
        Assert.Equal($"{owned.End - 99}-{owned.End}", await ValkeyJobRangesAsync(primaries[2].Endpoint, Assert.Single(migration.Jobs).ValkeyJobName));
    }

    [Fact]
    public async Task Several_ranges_move_in_one_job()
    {
        var primaries = await Migrations.PrimariesAsync();
        var owned = await Migrations.OwnedByAsync(primaries[2]);
        var first = owned.Ranges.Last();
        var slots = SlotRangeSet.From([new SlotRange(first.End - 300, first.End - 251), new SlotRange(first.End - 200, first.End - 191), SlotRange.ForSlot(first.End - 150)]);

        var migration = await MoveAndWaitAsync(slots, primaries[2], primaries[0]);

        var job = Assert.Single(migration.Jobs);
        Assert.Equal("success", job.ValkeyState);
        // One Valkey job carried all three ranges.
        Assert.Equal(3, (await ValkeyJobRangesAsync(primaries[0].Endpoint, job.ValkeyJobName)).Split(' ').Length);
    }

    [Fact]
    public async Task Slots_of_two_sources_move_as_two_Valkey_jobs_in_one_migration()
    {
        var primaries = await Migrations.PrimariesAsync();
        var fromFirst = await Migrations.SlotsOfAsync(primaries[0], 20);
        var fromSecond = await Migrations.SlotsOfAsync(primaries[1], 20);
        var slots = fromFirst.Union(fromSecond);
        var keysBefore = await Migrations.CountKeysAsync(primaries[0].Endpoint, fromFirst) + await Migrations.CountKeysAsync(primaries[1].Endpoint, fromSecond);
        var totalBefore = await Migrations.TotalKeysAsync();

        var start = await Migrations.Service.StartAsync(new MigrationRequest(slots, primaries[2].Id, "test"));
        var migration = await Migrations.Service.WaitForAsync(start.Migration.Id, m => m.IsFinished, Deadline);

        Assert.Equal(MigrationState.Succeeded, migration.State);
        Assert.Equal(2, migration.Jobs.Length);
        Assert.Equal(new[] { primaries[0].Id, primaries[1].Id }.Order(), migration.Jobs.Select(j => j.SourceNodeId).Order());
        Assert.Equal(2, migration.Jobs.Select(j => j.ValkeyJobName).Distinct().Count());
        Assert.All(migration.Jobs, j => Assert.Equal(MigrationState.Succeeded, j.State));
        Assert.True(slots.Except(await Migrations.OwnedByAsync(primaries[2])).IsEmpty);
        Assert.Equal(keysBefore, await Migrations.CountKeysAsync(primaries[2].Endpoint, slots));
        Assert.Equal(keysBefore, migration.KeysMoved);
        Assert.Equal(totalBefore, await Migrations.TotalKeysAsync());
    }

    [Fact]
    public async Task A_migration_is_recorded_with_its_jobs_and_outcome_in_the_history()
    {
        var primaries = await Migrations.PrimariesAsync();
        var slots = await Migrations.SlotsOfAsync(primaries[1], 3);

        var migration = await MoveAndWaitAsync(slots, primaries[1], primaries[0]);

        var stored = (await Migrations.Store.LoadAllAsync()).Single(m => m.Id == migration.Id);
        Assert.Equal(MigrationState.Succeeded, stored.State);
        Assert.Equal("test", stored.RequestedBy);
        Assert.Equal(migration.Jobs[0].ValkeyJobName, stored.Jobs[0].ValkeyJobName);
        Assert.NotNull(stored.FinishedAt);
        Assert.True(stored.FinishedAt >= stored.StartedAt);
        Assert.Contains(Migrations.Service.List(1, 200).Items, m => m.Id == migration.Id);
    }

    /// <summary>The slot ranges as Valkey itself lists them for a job (<c>slot_ranges</c> in the target's CLUSTER GETSLOTMIGRATIONS: <c>"0-9 20-29"</c>).</summary>
    private async Task<string> ValkeyJobRangesAsync(string targetEndpoint, string? jobName)
    {
        Assert.NotNull(jobName);
        var log = (StackExchange.Redis.RedisResult[])(await Migrations.Cluster.Connection.ExecuteAsync(targetEndpoint, "CLUSTER", "GETSLOTMIGRATIONS"))!;
        var entry = log.Select(e => e.ToDictionary()).Single(e => (string?)e["name"] == jobName);
        return (string)entry["slot_ranges"]!;
    }

    private async Task<Migration> MoveAndWaitAsync(SlotRangeSet slots, ClusterNode source, ClusterNode target)
    {
        var keysBefore = await Migrations.CountKeysAsync(source.Endpoint, slots);
        var totalBefore = await Migrations.TotalKeysAsync();
        Assert.True(keysBefore > 0, $"slots {slots} hold no keys");

        var start = await Migrations.Service.StartAsync(new MigrationRequest(slots, target.Id, "test"));
        Assert.True(start.Created);
        Assert.Equal(MigrationState.Running, start.Migration.State);
        var migration = await Migrations.Service.WaitForAsync(start.Migration.Id, m => m.IsFinished, Deadline);

        Assert.Equal(MigrationState.Succeeded, migration.State);
        Assert.Null(migration.Error);
        Assert.True(slots.Except(await Migrations.OwnedByAsync(target)).IsEmpty, "the target does not own the slots");
        Assert.True(slots.Intersect(await Migrations.OwnedByAsync(source)).IsEmpty, "the source still owns some slots");
        Assert.Equal(keysBefore, await Migrations.CountKeysAsync(target.Endpoint, slots));
        Assert.Equal(0, await Migrations.CountKeysAsync(source.Endpoint, slots));
        Assert.Equal(keysBefore, migration.KeysMoved);
        Assert.Equal(totalBefore, await Migrations.TotalKeysAsync());
        return migration;
    }
}
