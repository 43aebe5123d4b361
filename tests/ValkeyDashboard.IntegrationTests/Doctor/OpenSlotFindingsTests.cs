using System.Globalization;
using System.Net;
using System.Text.Json;
using ValkeyDashboard.Cluster.Migrations.Keys;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static ValkeyDashboard.IntegrationTests.Infrastructure.DoctorClusterFixture;

namespace ValkeyDashboard.IntegrationTests.Doctor;

/// <summary>
/// A slot left open by a key-by-key move, made on a real Valkey 9 cluster with raw commands (<c>SETSLOT IMPORTING</c> on
/// the target, <c>SETSLOT MIGRATING</c> on the source, some keys moved by hand with <c>MIGRATE</c>): found by the doctor,
/// settled by its fix (finished when keys have arrived, rolled back when none have), the dry run's commands exactly those
/// sent, every key readable after and the slot closed on every node.
/// </summary>
[Collection(DoctorClusterCollection.Name)]
public class OpenSlotFindingsTests(DoctorClusterFixture fixture)
{
    private const int KeyCount = 10;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_slot_whose_keys_are_partly_moved_is_finished_onto_the_importing_node()
    {
        var (source, target, third, slot, keys) = await PrepareAsync("finish");

        await TestCleanup.RunAsync(
            async () =>
            {
                await OpenAsync(source, target, slot);
                await fixture.CliAsync(source.Endpoint, ["MIGRATE", "127.0.0.1", Port(target.Endpoint), "", "0", "5000", "KEYS", .. keys.Take(4)]);

                var finding = await FindOpenSlotAsync(source, target, slot);
                var fixId = finding.GetProperty("fix").GetProperty("id").GetString()!;
                var options = new KeyMigrationOptions();
                var dryRun = await fixture.PostOkAsync($"/api/doctor/fixes/{fixId}?dryRun=true");
                Assert.Equal(
                    [
                        $"{source.Endpoint}: CLUSTER GETKEYSINSLOT {slot} {options.KeysPerBatch}",
                        $"{source.Endpoint}: MIGRATE 127.0.0.1 {Port(target.Endpoint)} \"\" 0 {(long)options.MigrateTimeout.TotalMilliseconds} KEYS <the keys it returned> " +
                        $"(repeated until {source.Endpoint} has no key in slot {slot}; {KeyCount - 4} now)",
                        $"{target.Endpoint}: CLUSTER SETSLOT {slot} NODE {target.Id}",
                        $"{source.Endpoint}: CLUSTER SETSLOT {slot} NODE {target.Id}",
                        $"{third.Endpoint}: CLUSTER SETSLOT {slot} NODE {target.Id}",
                    ],
                    Commands(dryRun));
                Assert.StartsWith("Finish: ", dryRun.GetProperty("steps")[0].GetProperty("description").GetString(), StringComparison.Ordinal);
                Assert.Equal(KeyCount - 4, CountKeys(await fixture.CliAsync(source.Endpoint, "CLUSTER", "COUNTKEYSINSLOT", Text(slot))));

                await SendAndAssertSettledAsync(fixId, dryRun, slot, target, keys);
            },
            cleanup: () => CloseAsync(source, target, slot, keys));
    }

    [Fact]
    public async Task A_slot_none_of_whose_keys_has_moved_is_rolled_back_to_its_owner()
    {
        var (source, target, third, slot, keys) = await PrepareAsync("rollback");

        await TestCleanup.RunAsync(
            async () =>
            {
                await OpenAsync(source, target, slot);

                var finding = await FindOpenSlotAsync(source, target, slot);
                var fixId = finding.GetProperty("fix").GetProperty("id").GetString()!;
                var dryRun = await fixture.PostOkAsync($"/api/doctor/fixes/{fixId}?dryRun=true");
                var primaries = (await fixture.TopologyAsync()).Primaries;
                Assert.Equal(
                    [
                        $"{target.Endpoint}: CLUSTER SETSLOT {slot} STABLE",
                        $"{source.Endpoint}: CLUSTER SETSLOT {slot} STABLE",
                        $"{source.Endpoint}: CLUSTER SETSLOT {slot} NODE {source.Id}",
                        .. primaries.Where(p => p.Id != source.Id).Select(p => $"{p.Endpoint}: CLUSTER SETSLOT {slot} NODE {source.Id}"),
                    ],
                    Commands(dryRun));
                Assert.StartsWith("Roll back: ", dryRun.GetProperty("steps")[0].GetProperty("description").GetString(), StringComparison.Ordinal);
                Assert.Contains(third.Id, primaries.Select(p => p.Id));

                await SendAndAssertSettledAsync(fixId, dryRun, slot, source, keys);
            },
            cleanup: () => CloseAsync(source, target, slot, keys));
    }

    [Fact]
    public async Task The_fix_of_a_slot_closed_by_hand_since_is_a_conflict()
    {
        var (source, target, _, slot, keys) = await PrepareAsync("stale");

        await TestCleanup.RunAsync(
            async () =>
            {
                await OpenAsync(source, target, slot);
                var fixId = (await FindOpenSlotAsync(source, target, slot)).GetProperty("fix").GetProperty("id").GetString()!;

                await fixture.CliAsync(target.Endpoint, "CLUSTER", "SETSLOT", Text(slot), "STABLE");
                await fixture.CliAsync(source.Endpoint, "CLUSTER", "SETSLOT", Text(slot), "STABLE");
                await fixture.WaitForHealthyAsync();

                await MigrationsApiTests.AssertProblemAsync(
                    await fixture.PostAsync($"/api/doctor/fixes/{fixId}"), HttpStatusCode.Conflict, $"the finding of fix {fixId} is gone");
                Assert.Equal(KeyCount, CountKeys(await fixture.CliAsync(source.Endpoint, "CLUSTER", "COUNTKEYSINSLOT", Text(slot))));
            },
            cleanup: () => CloseAsync(source, target, slot, keys));
    }

    /// <summary>Source, target and the third primary; a slot of the source's (not its first, which other tests use) and its keys, written with values.</summary>
    private async Task<(Primary Source, Primary Target, Primary Third, int Slot, IReadOnlyList<string> Keys)> PrepareAsync(string name)
    {
        await fixture.WaitForHealthyAsync();
        var primaries = (await fixture.TopologyAsync()).Primaries.Select(p => new Primary(p.Id, p.Endpoint, SlotRangeSet.Parse(p.Slots))).ToList();
        var (source, target, third) = (primaries[1], primaries[2], primaries[0]);
        for (var i = 0; ; i++)
        {
            var tag = $"{{open-slot:{name}:{i}}}";
            var slot = int.Parse((await fixture.CliAsync(source.Endpoint, "CLUSTER", "KEYSLOT", tag)).Trim(), CultureInfo.InvariantCulture);
            if (source.Slots.Contains(slot) && slot > source.Slots.Ranges[0].Start + 100)
            {
                var keys = Enumerable.Range(0, KeyCount).Select(k => $"{tag}:{k}").ToList();
                foreach (var key in keys)
                {
                    await fixture.CliAsync(source.Endpoint, "SET", key, Value(key));
                }

                return (source, target, third, slot, keys);
            }
        }
    }

    private async Task OpenAsync(Primary source, Primary target, int slot)
    {
        await fixture.CliAsync(target.Endpoint, "CLUSTER", "SETSLOT", Text(slot), "IMPORTING", source.Id);
        await fixture.CliAsync(source.Endpoint, "CLUSTER", "SETSLOT", Text(slot), "MIGRATING", target.Id);
    }

    private async Task<JsonElement> FindOpenSlotAsync(Primary source, Primary target, int slot)
    {
        var finding = (await fixture.WaitForFindingsAsync(f => f.Any(x => Kind(x) == "open-slot"), "the open slot")).Single(x => Kind(x) == "open-slot");
        Assert.Equal("error", finding.GetProperty("severity").GetString());
        Assert.Equal(Text(slot), finding.GetProperty("slots").GetString());
        Assert.Equal(new[] { source.Id, target.Id }.Order(StringComparer.Ordinal), NodeIds(finding).Order(StringComparer.Ordinal));
        var message = finding.GetProperty("message").GetString()!;
        Assert.Contains($"Slot {slot} (served by {source.Endpoint})", message, StringComparison.Ordinal);
        Assert.Contains($"{source.Endpoint} marks it migrating to {target.Endpoint}; {target.Endpoint} marks it importing from {source.Endpoint}", message, StringComparison.Ordinal);
        Assert.Contains("ASK", message, StringComparison.Ordinal);
        return finding;
    }

    /// <summary>
    /// Sends the fix: it sends what its dry run listed, its answer and the doctor find no open slot after, every member
    /// closed the slot and says <paramref name="owner"/> serves it, every key reads back its value there, and it is audited.
    /// </summary>
    private async Task SendAndAssertSettledAsync(string fixId, JsonElement dryRun, int slot, Primary owner, IReadOnlyList<string> keys)
    {
        var sent = await fixture.PostOkAsync($"/api/doctor/fixes/{fixId}");

        Assert.Equal(Commands(dryRun), Commands(sent));
        Assert.DoesNotContain(sent.GetProperty("after").GetProperty("findings").EnumerateArray(), f => Kind(f) == "open-slot");
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ =>
            {
                foreach (var endpoint in fixture.Cluster.Endpoints)
                {
                    var text = await fixture.CliAsync(endpoint, "CLUSTER", "NODES");
                    var entries = ClusterNodesParser.Parse(text);
                    if (text.Contains('[', StringComparison.Ordinal) || !entries.Single(e => e.Id == owner.Id).Slots.Contains(slot))
                    {
                        return false;
                    }
                }

                return true;
            },
            Deadline, $"every node to close slot {slot} and name {owner.Endpoint} its owner", TimeSpan.FromMilliseconds(200));
        Assert.Equal(keys.Count, CountKeys(await fixture.CliAsync(owner.Endpoint, "CLUSTER", "COUNTKEYSINSLOT", Text(slot))));
        foreach (var key in keys)
        {
            Assert.Equal(Value(key), (await fixture.CliAsync(owner.Endpoint, "GET", key)).Trim());
        }

        Assert.DoesNotContain(await fixture.FindingsAsync(), f => Kind(f) == "open-slot");
        await fixture.AssertAuditedAsync(fixId);
    }

    /// <summary>Closes the slot wherever it is still open and deletes the test's keys from whichever node serves them.</summary>
    private async Task CloseAsync(Primary source, Primary target, int slot, IReadOnlyList<string> keys)
    {
        foreach (var node in new[] { target, source })
        {
            await fixture.CliAsync(node.Endpoint, "CLUSTER", "SETSLOT", Text(slot), "STABLE");
        }

        await fixture.Cluster.CliAsync(["-c", "-p", Port(source.Endpoint), "DEL", .. keys]);
        await fixture.WaitForHealthyAsync();
    }

    private static string Value(string key) => $"value of {key}";

    private static string Port(string endpoint) => endpoint[(endpoint.LastIndexOf(':') + 1)..];

    private static long CountKeys(string reply) => long.Parse(reply.Trim(), CultureInfo.InvariantCulture);

    private sealed record Primary(string Id, string Endpoint, SlotRangeSet Slots);
}
