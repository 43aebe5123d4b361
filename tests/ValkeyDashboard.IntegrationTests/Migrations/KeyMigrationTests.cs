using StackExchange.Redis;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Migrations.Keys;
using ValkeyDashboard.Cluster.Migrations.OpenSlots;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using SlotRangeSet = ValkeyDashboard.Cluster.Model.SlotRangeSet;

namespace ValkeyDashboard.IntegrationTests.Migrations;

/// <summary>The key-by-key engine on real Valkey 9 nodes: moving under load, stopping at a key the target has, replacing it when asked.</summary>
[Collection(MigrationClusterCollection.Name)]
public class KeyMigrationTests(MigrationClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private MigrationCluster Migrations => fixture.Migrations;

    [Fact]
    public async Task A_range_of_slots_moves_key_by_key_under_client_load_without_losing_a_key_or_serving_a_stale_read()
    {
        var primaries = await Migrations.PrimariesAsync();
        var (source, target) = (primaries[0], primaries[1]);
        var slots = SlotRangeSet.FromSlots((await Migrations.OwnedByAsync(source)).Slots().Take(200));
        await using var client = await Migrations.Cluster.ConnectClientAsync();
        var keys = Enumerable.Range(0, 400_000).Select(i => $"keys-load:{i}").Where(k => slots.Contains(client.HashSlot(k))).Take(2_000).ToArray();
        Assert.Equal(2_000, keys.Length);
        using var load = new ClientLoad(client.GetDatabase(), keys, writers: 4);
        await load.WaitForOperationsAsync(4_000, Deadline);
        var keysBefore = await Migrations.CountKeysAsync(source.Endpoint, slots);

        var start = await Migrations.Service.StartAsync(new MigrationRequest(slots, target.Id, "test", Engine: MigrationEngineKind.Keys));
        var migration = await Migrations.Service.WaitForAsync(start.Migration.Id, m => m.IsFinished, Deadline);
        await load.WaitForOperationsAsync(load.Operations + 2_000, Deadline);
        await load.StopAsync();

        Assert.Equal(MigrationState.Succeeded, migration.State);
        Assert.Equal("keys", migration.Engine);
        Assert.Equal(slots, migration.Jobs[0].SlotsMoved);
        // Single-key commands never need to fail during a key-by-key move (the client follows ASK); the load counts any that did.
        Assert.True(load.Failures.IsEmpty, $"{load.Failures.Count} client commands failed, e.g. {string.Join(" | ", load.Failures.Take(3))}");
        Assert.Equal(0, load.StaleReads);
        Assert.Equal(0, await Migrations.CountKeysAsync(source.Endpoint, slots));
        // Every key there at the start moved; keys the load created while a slot was open went straight to the target (ASK).
        Assert.InRange(migration.KeysMoved, keysBefore, await Migrations.CountKeysAsync(target.Endpoint, slots));
        Assert.True(slots.Except(await Migrations.OwnedByAsync(target)).IsEmpty);
        var db = client.GetDatabase();
        foreach (var (key, value) in load.LastWritten)
        {
            Assert.Equal(value, (long)await db.StringGetAsync(key));
        }
    }

    [Fact]
    public async Task A_key_the_target_already_has_stops_the_migration_naming_slot_and_key_leaves_the_slot_open_and_overwrites_nothing()
    {
        var primaries = await Migrations.PrimariesAsync();
        var (source, target) = (primaries[2], primaries[0]);
        await using var client = await Migrations.Cluster.ConnectClientAsync();
        var slots = await Migrations.SlotsOfAsync(source, 1);
        var slot = slots.Ranges[0].Start;
        var key = Enumerable.Range(0, 100_000).Select(i => $"busy:{i}").First(k => client.HashSlot(k) == slot);
        await client.GetDatabase().StringSetAsync(key, "source's value");
        await PutOnTargetAsync(slot, source.Id, target.Endpoint, key, "target's own value");

        var start = await Migrations.Service.StartAsync(new MigrationRequest(slots, target.Id, "test", Engine: MigrationEngineKind.Keys));
        var migration = await Migrations.Service.WaitForAsync(start.Migration.Id, m => m.IsFinished, Deadline);

        Assert.True(MigrationState.Failed == migration.State, migration.Error);
        Assert.True(migration.Error!.Contains($"slot {slot}: key \"{key}\" already exists on the target {target.Endpoint}", StringComparison.Ordinal), migration.Error);
        Assert.Contains($"slot {slot} is left open", migration.Error, StringComparison.Ordinal);
        Assert.Equal("target's own value", await GetOnTargetAsync(slot, target.Endpoint, key));
        Assert.Equal("source's value", (string?)await Migrations.Cluster.Connection.ExecuteAsync(source.Endpoint, "GET", key));
        var open = await OpenSlotScanner.ScanAsync(Migrations.Cluster.Admin, await Migrations.PrimariesAsync());
        var openSlot = Assert.Single(open, o => o.Slot == slot);
        Assert.Equal(source.Id, openSlot.Migrating.Single().Id);
        Assert.Equal(target.Id, openSlot.Importing.Single().Id);

        // The repair settles it by where the keys are: both nodes hold keys, so the move is finished, and the key the
        // target had is not overwritten: the finish stops at it too, and says so.
        var repair = await OpenSlotRepair.PlanAsync(Migrations.Cluster.Admin, openSlot, await Migrations.PrimariesAsync(), new KeyMigrationOptions());
        Assert.Equal(OpenSlotFix.Finish, repair.Fix);
        var other = (await Migrations.PrimariesAsync()).Single(p => p.Id != source.Id && p.Id != target.Id);
        Assert.Equal(
            [
                new OpenSlotRepairStep(source.Endpoint, $"CLUSTER GETKEYSINSLOT {slot} 500"),
                new OpenSlotRepairStep(source.Endpoint, $"MIGRATE 127.0.0.1 {target.Endpoint.Split(':')[1]} \"\" 0 1500 KEYS <the keys it returned> (repeated until {source.Endpoint} has no key in slot {slot}; {await Migrations.CountKeysAsync(source.Endpoint, slots)} now)"),
                new OpenSlotRepairStep(target.Endpoint, $"CLUSTER SETSLOT {slot} NODE {target.Id}"),
                new OpenSlotRepairStep(source.Endpoint, $"CLUSTER SETSLOT {slot} NODE {target.Id}"),
                new OpenSlotRepairStep(other.Endpoint, $"CLUSTER SETSLOT {slot} NODE {target.Id}"),
            ],
            repair.Steps.ToArray());
        var refused = await Assert.ThrowsAsync<KeyMoveException>(() => repair.ExecuteAsync());
        Assert.Contains(key, refused.Message, StringComparison.Ordinal);
        Assert.Equal("target's own value", await GetOnTargetAsync(slot, target.Endpoint, key));

        // The operator removes the target's copy; the repair then finishes the slot.
        await using (var raw = await RawNodeClient.ConnectAsync(target.Endpoint))
        {
            Assert.Equal("+OK", await raw.SendAsync("ASKING"));
            Assert.Equal(":1", await raw.SendAsync("DEL", key));
        }

        repair = await OpenSlotRepair.PlanAsync(Migrations.Cluster.Admin, openSlot, await Migrations.PrimariesAsync(), new KeyMigrationOptions());
        await repair.ExecuteAsync();
        Assert.Empty(await OpenSlotScanner.ScanAsync(Migrations.Cluster.Admin, await Migrations.PrimariesAsync()));
        await Wait.UntilAsync(async _ => slots.Except(await Migrations.OwnedByAsync(target)).IsEmpty, Deadline, $"{target.Endpoint} owning slot {slot}");
        Assert.Equal("source's value", (string?)await client.GetDatabase().StringGetAsync(key));
    }

    [Fact]
    public async Task With_replace_a_key_the_target_already_has_is_overwritten_by_the_source_s()
    {
        var primaries = await Migrations.PrimariesAsync();
        var (source, target) = (primaries[1], primaries[2]);
        await using var client = await Migrations.Cluster.ConnectClientAsync();
        var slots = await Migrations.SlotsOfAsync(source, 1);
        var slot = slots.Ranges[0].Start;
        var key = Enumerable.Range(0, 100_000).Select(i => $"replace:{i}").First(k => client.HashSlot(k) == slot);
        await client.GetDatabase().StringSetAsync(key, "source's value");
        await PutOnTargetAsync(slot, source.Id, target.Endpoint, key, "target's stale value");

        var start = await Migrations.Service.StartAsync(new MigrationRequest(slots, target.Id, "test", Engine: MigrationEngineKind.Keys, Replace: true));
        var migration = await Migrations.Service.WaitForAsync(start.Migration.Id, m => m.IsFinished, Deadline);

        Assert.Equal(MigrationState.Succeeded, migration.State);
        Assert.True(migration.Replace);
        Assert.Equal("source's value", (string?)await client.GetDatabase().StringGetAsync(key));
        Assert.Empty(await OpenSlotScanner.ScanAsync(Migrations.Cluster.Admin, await Migrations.PrimariesAsync()));
    }

    [Fact]
    public async Task A_key_too_big_to_move_within_the_timeout_stops_the_migration_naming_slot_and_key_and_stays_on_the_source()
    {
        await Migrations.RestartServiceAsync(keyOptions: new KeyMigrationOptions { MigrateTimeout = TimeSpan.FromMilliseconds(10) });
        try
        {
            var primaries = await Migrations.PrimariesAsync();
            var (source, target) = (primaries[0], primaries[2]);
            await using var client = await Migrations.Cluster.ConnectClientAsync();
            // A slot with no other key: with a 10 ms timeout on a busy machine even a batch of small keys can time
            // out (a clean-clone run saw MIGRATE of a seed key fail first), and the message is to name the big key.
            var slot = await Migrations.EmptySlotOfAsync(source);
            var slots = SlotRangeSet.FromSlots([slot]);
            var key = Enumerable.Range(0, 1_000_000).Select(i => $"big:{i}").First(k => client.HashSlot(k) == slot);
            var value = new byte[48 << 20];
            Random.Shared.NextBytes(value);
            try
            {
                // Written in 4 MB pieces: one 48 MB SET can outlast the client's 2 s timeout on a busy machine (a
                // clean-clone run saw it), and a key left behind would spoil the next tests' migrations of this slot.
                for (var offset = 0; offset < value.Length; offset += 4 << 20)
                {
                    await client.GetDatabase().StringAppendAsync(key, value.AsMemory(offset, 4 << 20).ToArray());
                }

                var start = await Migrations.Service.StartAsync(new MigrationRequest(slots, target.Id, "test", Engine: MigrationEngineKind.Keys));
                var migration = await Migrations.Service.WaitForAsync(start.Migration.Id, m => m.IsFinished, Deadline);

                Assert.True(MigrationState.Failed == migration.State, migration.Error);
                Assert.Contains($"slot {slot}: MIGRATE of ", migration.Error, StringComparison.Ordinal);
                Assert.True(migration.Error!.Contains($"\"{key}\"", StringComparison.Ordinal), migration.Error);
                Assert.Contains($"did not complete within 10 ms", migration.Error, StringComparison.Ordinal);
                Assert.Contains($"slot {slot} is left open", migration.Error, StringComparison.Ordinal);
                // Its length and its last MB, not a 48 MB GET: that can outlast the 2 s command timeout on shared cores.
                Assert.Equal(value.Length, (long)await Migrations.Cluster.Connection.ExecuteAsync(source.Endpoint, "STRLEN", key));
                var tail = (byte[]?)await Migrations.Cluster.Connection.ExecuteAsync(source.Endpoint, "GETRANGE", key, value.Length - (1 << 20), -1);
                Assert.True(value.AsSpan(value.Length - (1 << 20)).SequenceEqual(tail), "the big key's last MB on the source differs from what was written");
                Assert.Contains(await OpenSlotScanner.ScanAsync(Migrations.Cluster.Admin, await Migrations.PrimariesAsync()), o => o.Slot == slot);
            }
            finally
            {
                // Settle the slot for the tests after this one: the big key deleted wherever it is, then the repair
                // finishes the move; keys the timed-out MIGRATE left on both nodes take the source's copy (replace).
                await Migrations.Cluster.Connection.ExecuteAsync(source.Endpoint, "DEL", key);
                await using (var raw = await RawNodeClient.ConnectAsync(target.Endpoint))
                {
                    await raw.SendAsync("ASKING");
                    await raw.SendAsync("DEL", key);
                }

                foreach (var open in await OpenSlotScanner.ScanAsync(Migrations.Cluster.Admin, await Migrations.PrimariesAsync()))
                {
                    await (await OpenSlotRepair.PlanAsync(Migrations.Cluster.Admin, open, await Migrations.PrimariesAsync(), new KeyMigrationOptions(), replace: true)).ExecuteAsync();
                }
            }
        }
        finally
        {
            await Migrations.RestartServiceAsync();
        }
    }

    [Fact]
    public async Task A_target_that_does_not_answer_stops_the_migration_naming_slot_and_node_and_no_key_is_lost()
    {
        var primaries = await Migrations.PrimariesAsync();
        var (source, target) = (primaries[1], primaries[0]);
        await using var client = await Migrations.Cluster.ConnectClientAsync();
        var db = client.GetDatabase();
        var slots = await Migrations.SlotsOfAsync(source, 1);
        var slot = slots.Ranges[0].Start;
        var keys = Enumerable.Range(0, 400_000).Select(i => $"unanswered:{i}").Where(k => client.HashSlot(k) == slot).Take(50).ToArray();
        await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, $"value of {k}")));
        var before = await Migrations.CountKeysAsync(source.Endpoint, slots);
        try
        {
            // The target takes no write (CLIENT PAUSE … WRITE; Valkey 9 counts CLUSTER SETSLOT as one, since it
            // replicates it): its commands get no answer, as from a node that hangs or dropped off the network.
            await Migrations.Cluster.Connection.ExecuteAsync(target.Endpoint, "CLIENT", "PAUSE", 10_000, "WRITE");
            var start = await Migrations.Service.StartAsync(new MigrationRequest(slots, target.Id, "test", Engine: MigrationEngineKind.Keys));
            var migration = await Migrations.Service.WaitForAsync(start.Migration.Id, m => m.IsFinished, Deadline);

            Assert.True(MigrationState.Failed == migration.State, migration.Error);
            Assert.Contains($"slot {slot}: SETSLOT IMPORTING on {target.Endpoint} failed", migration.Error, StringComparison.Ordinal);
            Assert.Equal(before, await Migrations.CountKeysAsync(source.Endpoint, slots));

            // The target answers again (and may then apply the SETSLOT it held): whatever is left open is settled by
            // the repair, by where the keys are; every key is there once, with its value, on the source.
            await Migrations.Cluster.Connection.ExecuteAsync(target.Endpoint, "CLIENT", "UNPAUSE");
            foreach (var open in await OpenSlotScanner.ScanAsync(Migrations.Cluster.Admin, await Migrations.PrimariesAsync()))
            {
                Assert.Equal(slot, open.Slot);
                await (await OpenSlotRepair.PlanAsync(Migrations.Cluster.Admin, open, await Migrations.PrimariesAsync(), new KeyMigrationOptions())).ExecuteAsync();
            }

            Assert.Empty(await OpenSlotScanner.ScanAsync(Migrations.Cluster.Admin, await Migrations.PrimariesAsync()));
            Assert.True(slots.Except(await Migrations.OwnedByAsync(source)).IsEmpty, $"slot {slot} stays with {source.Endpoint}");
            Assert.Equal(before, await Migrations.CountKeysAsync(source.Endpoint, slots));
            Assert.Equal(0, await Migrations.CountKeysAsync(target.Endpoint, slots));
            foreach (var key in keys)
            {
                Assert.Equal($"value of {key}", (string?)await db.StringGetAsync(key));
            }
        }
        finally
        {
            await Migrations.Cluster.Connection.ExecuteAsync(target.Endpoint, "CLIENT", "UNPAUSE");
            foreach (var open in await OpenSlotScanner.ScanAsync(Migrations.Cluster.Admin, await Migrations.PrimariesAsync()))
            {
                await (await OpenSlotRepair.PlanAsync(Migrations.Cluster.Admin, open, await Migrations.PrimariesAsync(), new KeyMigrationOptions(), replace: true)).ExecuteAsync();
            }

            await Task.WhenAll(keys.Select(k => db.KeyDeleteAsync(k)));
        }
    }

    /// <summary>Opens the slot on the target (importing) and writes the key there under ASKING, as a crashed reshard leaves it.</summary>
    private async Task PutOnTargetAsync(int slot, string sourceId, string targetEndpoint, string key, string value)
    {
        await Migrations.Cluster.Connection.ExecuteAsync(targetEndpoint, "CLUSTER", "SETSLOT", slot, "IMPORTING", sourceId);
        await using var raw = await RawNodeClient.ConnectAsync(targetEndpoint);
        Assert.Equal("+OK", await raw.SendAsync("ASKING"));
        Assert.Equal("+OK", await raw.SendAsync("SET", key, value));
    }

    private static async Task<string?> GetOnTargetAsync(int slot, string targetEndpoint, string key)
    {
        await using var raw = await RawNodeClient.ConnectAsync(targetEndpoint);
        Assert.Equal("+OK", await raw.SendAsync("ASKING"));
        var header = await raw.SendAsync("GET", key);
        return header.StartsWith('$') && header != "$-1" ? await raw.ReadLineAsync() : $"(slot {slot}: {header})";
    }
}
