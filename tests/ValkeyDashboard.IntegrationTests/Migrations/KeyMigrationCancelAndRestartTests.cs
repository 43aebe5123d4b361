using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Migrations.Keys;
using ValkeyDashboard.Cluster.Migrations.OpenSlots;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Migrations;

/// <summary>
/// Cancelling a key-by-key migration, and the dashboard restarting in the middle of one. Each test slows the engine
/// down (one key per MIGRATE, one slot at a time) and fills its slots with keys so that the migration is surely running.
/// </summary>
[Collection(MigrationClusterCollection.Name)]
public class KeyMigrationCancelAndRestartTests(MigrationClusterFixture fixture)
{
    private const int KeysPerSlot = 60;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private static readonly KeyMigrationOptions Slow = new() { KeysPerBatch = 1, SlotsInFlight = 1 };

    private MigrationCluster Migrations => fixture.Migrations;

    [Fact]
    public async Task A_cancel_finishes_the_slot_in_flight_leaves_every_slot_whole_on_one_side_and_says_which_slots_moved()
    {
        await Migrations.RestartServiceAsync(keyOptions: Slow);
        try
        {
            var primaries = await Migrations.PrimariesAsync();
            var (source, target) = (primaries[0], primaries[2]);
            var slots = await FillAsync(source, 40);
            var keysBefore = await Migrations.CountKeysAsync(source.Endpoint, slots);

            var start = await Migrations.Service.StartAsync(new MigrationRequest(slots, target.Id, "test", Engine: MigrationEngineKind.Keys));
            await Migrations.Service.WaitForAsync(start.Migration.Id, m => m.Jobs[0].SlotsMoved?.SlotCount >= 3, Deadline);
            var cancelled = await Migrations.Service.CancelAsync(start.Migration.Id, "test");
            cancelled = await Migrations.Service.WaitForAsync(cancelled.Id, m => m.IsFinished, Deadline);

            Assert.Equal(MigrationState.Cancelled, cancelled.State);
            var moved = cancelled.Jobs[0].SlotsMoved!;
            Assert.InRange(moved.SlotCount, 3, slots.SlotCount - 1);
            Assert.Contains($"Cancelled after moving slots {moved} of {slots} to {target.Endpoint}; the others ({slots.Except(moved)}) stayed on {source.Endpoint}", cancelled.Error, StringComparison.Ordinal);
            Assert.Contains("cancelled by test", cancelled.Error, StringComparison.Ordinal);
            foreach (var slot in slots.Slots())
            {
                var one = SlotRangeSet.FromSlots([slot]);
                var (onSource, onTarget) = (await Migrations.CountKeysAsync(source.Endpoint, one), await Migrations.CountKeysAsync(target.Endpoint, one));
                Assert.True(moved.Contains(slot) ? onSource == 0 && onTarget > 0 : onTarget == 0 && onSource > 0, $"slot {slot}: {onSource} keys on the source, {onTarget} on the target");
            }

            Assert.Equal(cancelled.KeysMoved, await Migrations.CountKeysAsync(target.Endpoint, moved));
            Assert.Equal(keysBefore, await Migrations.CountKeysAsync(source.Endpoint, slots) + await Migrations.CountKeysAsync(target.Endpoint, slots));
            Assert.True(moved.Except(await Migrations.OwnedByAsync(target)).IsEmpty);
            Assert.True(slots.Except(moved).Except(await Migrations.OwnedByAsync(source)).IsEmpty);
            Assert.Empty(await OpenSlotScanner.ScanAsync(Migrations.Cluster.Admin, await Migrations.PrimariesAsync()));
        }
        finally
        {
            await Migrations.RestartServiceAsync();
        }
    }

    [Fact]
    public async Task A_key_by_key_migration_running_when_the_dashboard_restarts_has_its_open_slot_finished_and_the_rest_moved()
    {
        await Migrations.RestartServiceAsync(keyOptions: Slow);
        try
        {
            var primaries = await Migrations.PrimariesAsync();
            var (source, target) = (primaries[1], primaries[0]);
            var slots = await FillAsync(source, 30);
            var keysBefore = await Migrations.CountKeysAsync(source.Endpoint, slots);

            var start = await Migrations.Service.StartAsync(new MigrationRequest(slots, target.Id, "test", Engine: MigrationEngineKind.Keys));
            // Wait until a slot is half moved: some of its keys on the target, the rest still on the source.
            await Wait.UntilAsync(async _ =>
            {
                var job = Migrations.Service.Find(start.Migration.Id)!.Jobs[0];
                return job.SlotsMoved?.SlotCount >= 2 && job.SlotsInFlight is { IsEmpty: false } inFlight && await Migrations.CountKeysAsync(target.Endpoint, inFlight) > 5;
            }, Deadline, "a slot half moved", TimeSpan.FromMilliseconds(5));

            // Stopping the dashboard stops the worker between two batches: the slot in flight stays open, its keys split.
            await Migrations.Core.KeyEngine.DisposeAsync();
            var open = Assert.Single(await OpenSlotScanner.ScanAsync(Migrations.Cluster.Admin, await Migrations.PrimariesAsync()));
            Assert.True(slots.Contains(open.Slot));
            var openSlot = SlotRangeSet.FromSlots([open.Slot]);
            Assert.True(await Migrations.CountKeysAsync(target.Endpoint, openSlot) > 0 && await Migrations.CountKeysAsync(source.Endpoint, openSlot) > 0, $"slot {open.Slot} is not split");
            await Migrations.RestartServiceAsync(keyOptions: Slow);
            Assert.Contains(start.Migration.Id, Migrations.Service.Active.Select(m => m.Id));

            var migration = await Migrations.Service.WaitForAsync(start.Migration.Id, m => m.IsFinished, Deadline);
            Assert.True(migration.State == MigrationState.Succeeded, migration.Error);
            Assert.Equal(slots, migration.Jobs[0].SlotsMoved);
            Assert.Equal(0, await Migrations.CountKeysAsync(source.Endpoint, slots));
            Assert.Equal(keysBefore, await Migrations.CountKeysAsync(target.Endpoint, slots));
            Assert.True(slots.Except(await Migrations.OwnedByAsync(target)).IsEmpty);
            Assert.Empty(await OpenSlotScanner.ScanAsync(Migrations.Cluster.Admin, await Migrations.PrimariesAsync()));
        }
        finally
        {
            await Migrations.RestartServiceAsync();
        }
    }

    /// <summary>The first <paramref name="count"/> slots of <paramref name="node"/>, each given <see cref="KeysPerSlot"/> more keys (through hash tags).</summary>
    private async Task<SlotRangeSet> FillAsync(ClusterNode node, int count)
    {
        var slots = SlotRangeSet.FromSlots((await Migrations.OwnedByAsync(node)).Slots().Take(count));
        await using var client = await Migrations.Cluster.ConnectClientAsync();
        await SlotKeys.FillAsync(client, slots, KeysPerSlot, "fill");
        return slots;
    }
}
