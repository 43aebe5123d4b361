using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Migrations;

/// <summary>Cancelling a running migration, and a dashboard restart in the middle of one.</summary>
[Collection(MigrationClusterCollection.Name)]
public class MigrationCancelAndRestartTests(MigrationClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private MigrationCluster Migrations => fixture.Migrations;

    [Fact]
    public async Task A_cancelled_migration_leaves_every_key_on_the_source_and_none_on_the_target()
    {
        var primaries = await Migrations.PrimariesAsync();
        var (source, target) = (primaries[2], primaries[0]);
        var slots = await Migrations.SlotsOfAsync(source, 100);
        var keysBefore = await Migrations.CountKeysAsync(source.Endpoint, slots);
        var totalBefore = await Migrations.TotalKeysAsync();

        await HoldBeforePauseAsync(source.Endpoint, async () =>
        {
            var start = await Migrations.Service.StartAsync(new MigrationRequest(slots, target.Id, "test"));
            await Migrations.Service.WaitForAsync(start.Migration.Id, m => m.Jobs[0].ValkeyState == "waiting-to-pause" && m.Progress > 0, Deadline);
            Assert.Equal(keysBefore, await Migrations.CountKeysAsync(target.Endpoint, slots));

            var cancelled = await Migrations.Service.CancelAsync(start.Migration.Id, "test");
            cancelled = await Migrations.Service.WaitForAsync(cancelled.Id, m => m.IsFinished, Deadline);

            Assert.Equal(MigrationState.Cancelled, cancelled.State);
            Assert.Equal("cancelled", cancelled.Jobs[0].ValkeyState);
            Assert.Contains("cancelled by test", cancelled.Error, StringComparison.Ordinal);
            Assert.Equal(0, cancelled.KeysMoved);
        });

        Assert.Equal(keysBefore, await Migrations.CountKeysAsync(source.Endpoint, slots));
        Assert.Equal(0, await Migrations.CountKeysAsync(target.Endpoint, slots));
        Assert.True(slots.Except(await Migrations.OwnedByAsync(source)).IsEmpty);
        Assert.Equal(totalBefore, await Migrations.TotalKeysAsync());
    }

    [Fact]
    public async Task Cancelling_a_finished_or_unknown_migration_is_refused()
    {
        var primaries = await Migrations.PrimariesAsync();
        var slots = await Migrations.SlotsOfAsync(primaries[0], 1);
        var start = await Migrations.Service.StartAsync(new MigrationRequest(slots, primaries[2].Id, "test"));
        await Migrations.Service.WaitForAsync(start.Migration.Id, m => m.IsFinished, Deadline);

        var finished = await Assert.ThrowsAsync<RequestRefusedException>(() => Migrations.Service.CancelAsync(start.Migration.Id, "test"));
        var unknown = await Assert.ThrowsAsync<RequestRefusedException>(() => Migrations.Service.CancelAsync("no-such-migration", "test"));

        Assert.Equal(RefusalKind.Conflict, finished.Kind);
        Assert.Contains("already succeeded", finished.Message, StringComparison.Ordinal);
        Assert.Equal(RefusalKind.NotFound, unknown.Kind);
    }

    [Fact]
    public async Task A_migration_running_when_the_dashboard_restarts_is_picked_up_and_reaches_its_final_state()
    {
        var primaries = await Migrations.PrimariesAsync();
        var (source, target) = (primaries[1], primaries[2]);
        var slots = await Migrations.SlotsOfAsync(source, 50);
        var keysBefore = await Migrations.CountKeysAsync(source.Endpoint, slots);
        string id = null!;

        await HoldBeforePauseAsync(source.Endpoint, async () =>
        {
            var start = await Migrations.Service.StartAsync(new MigrationRequest(slots, target.Id, "test"));
            id = start.Migration.Id;
            await Migrations.Service.WaitForAsync(id, m => m.Jobs[0].ValkeyState == "waiting-to-pause", Deadline);

            await Migrations.RestartServiceAsync();

            var reloaded = Migrations.Service.Find(id);
            Assert.NotNull(reloaded);
            Assert.Equal(MigrationState.Running, reloaded.State);
            Assert.Contains(Migrations.Service.Active, m => m.Id == id);
        });

        var migration = await Migrations.Service.WaitForAsync(id, m => m.IsFinished, Deadline);
        Assert.Equal(MigrationState.Succeeded, migration.State);
        Assert.Equal(keysBefore, await Migrations.CountKeysAsync(target.Endpoint, slots));
        Assert.True(slots.Except(await Migrations.OwnedByAsync(target)).IsEmpty);
    }

    [Fact]
    public async Task A_cancel_is_refused_when_the_source_also_exports_for_another_migration()
    {
        var primaries = await Migrations.PrimariesAsync();
        var source = primaries[0];
        var first = await Migrations.SlotsOfAsync(source, 10);
        var second = (await Migrations.SlotsOfAsync(source, 40)).Except(first);
        var ids = new List<string>();

        await HoldBeforePauseAsync(source.Endpoint, async () =>
        {
            var one = await Migrations.Service.StartAsync(new MigrationRequest(first, primaries[1].Id, "test"));
            ids.Add(one.Migration.Id);
            var two = await Migrations.Service.StartAsync(new MigrationRequest(second, primaries[2].Id, "test"));
            ids.Add(two.Migration.Id);
            await Migrations.Service.WaitForAsync(one.Migration.Id, m => m.Jobs[0].ValkeyJobName is not null, Deadline);

            var refused = await Assert.ThrowsAsync<RequestRefusedException>(() => Migrations.Service.CancelAsync(one.Migration.Id, "test"));

            Assert.Equal(RefusalKind.Conflict, refused.Kind);
            Assert.Contains(two.Migration.Id, refused.Message, StringComparison.Ordinal);
            Assert.False(Migrations.Service.Find(one.Migration.Id)!.IsFinished);
        });

        // Released: both of this test's migrations (found by id, whatever else is in the history) carry on to success.
        foreach (var id in ids)
        {
            Assert.Equal(MigrationState.Succeeded, (await Migrations.Service.WaitForAsync(id, m => m.IsFinished, Deadline)).State);
        }
    }

    [Fact]
    public async Task A_start_beyond_the_concurrent_migration_cap_is_a_409_that_names_the_running_ones_and_starts_nothing()
    {
        await Migrations.RestartServiceAsync(new SlotMigrationOptions { MaxConcurrentMigrations = 1 });
        try
        {
            var primaries = await Migrations.PrimariesAsync();
            var (source, target, other) = (primaries[0], primaries[1], primaries[2]);
            var first = await Migrations.SlotsOfAsync(source, 10);
            var second = await Migrations.SlotsOfAsync(other, 10);
            var historyBefore = Migrations.Service.List(1, 1_000).Total;

            await HoldBeforePauseAsync(source.Endpoint, async () =>
            {
                var running = await Migrations.Service.StartAsync(new MigrationRequest(first, target.Id, "test"));

                var refused = await Assert.ThrowsAsync<RequestRefusedException>(() =>
                    Migrations.Service.StartAsync(new MigrationRequest(second, target.Id, "test")));

                Assert.Equal(RefusalKind.Conflict, refused.Kind);
                Assert.Contains(running.Migration.Id, refused.Message, StringComparison.Ordinal);
                Assert.Contains("at most 1 at once (Migrations:MaxConcurrentMigrations)", refused.Message, StringComparison.Ordinal);
                Assert.Equal(historyBefore + 1, Migrations.Service.List(1, 1_000).Total);
                Assert.True(second.Except(await Migrations.OwnedByAsync(other)).IsEmpty);
                await Migrations.Service.CancelAsync(running.Migration.Id, "test");
                await Migrations.Service.WaitForAsync(running.Migration.Id, m => m.IsFinished, Deadline);
            });

            // Once the running one has ended, the same request is accepted.
            var accepted = await Migrations.Service.StartAsync(new MigrationRequest(second, target.Id, "test"));
            var done = await Migrations.Service.WaitForAsync(accepted.Migration.Id, m => m.IsFinished, Deadline);
            Assert.Equal(MigrationState.Succeeded, done.State);
            var back = await Migrations.Service.StartAsync(new MigrationRequest(second, other.Id, "test"));
            Assert.Equal(MigrationState.Succeeded, (await Migrations.Service.WaitForAsync(back.Migration.Id, m => m.IsFinished, Deadline)).State);
        }
        finally
        {
            await Migrations.RestartServiceAsync();
        }
    }

    /// <summary>Runs <paramref name="body"/> while the source holds its migrations before the final pause.</summary>
    private async Task HoldBeforePauseAsync(string source, Func<Task> body)
    {
        await using var hold = await MigrationHold.OnAsync(Migrations.Cluster.Connection, source);
        await body();
    }
}
