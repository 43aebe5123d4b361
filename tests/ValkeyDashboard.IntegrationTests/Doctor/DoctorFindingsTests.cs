using System.Globalization;
using System.Net;
using System.Text.Json;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static ValkeyDashboard.IntegrationTests.Infrastructure.DoctorClusterFixture;

namespace ValkeyDashboard.IntegrationTests.Doctor;

/// <summary>
/// Each finding of the doctor on a real Valkey 9 cluster: the broken state made with raw commands, found through
/// <c>GET /api/doctor</c>, fixed through <c>POST /api/doctor/fixes/{id}</c> after a dry run whose exact commands are
/// checked, then gone; and the cluster put back.
/// </summary>
[Collection(DoctorClusterCollection.Name)]
public class DoctorFindingsTests(DoctorClusterFixture fixture)
{
    [Fact]
    public async Task A_healthy_test_cluster_shows_only_each_primary_beside_its_replica_on_one_host()
    {
        await fixture.WaitForHealthyAsync();
        var (primaries, replicas) = await fixture.TopologyAsync();

        var findings = await fixture.FindingsAsync();

        foreach (var primary in primaries)
        {
            var replica = replicas.Single(r => r.PrimaryId == primary.Id);
            var finding = Assert.Single(findings, f => NodeIds(f).Contains(primary.Id));
            Assert.Equal("info", finding.GetProperty("severity").GetString());
            Assert.Equal([primary.Id, replica.Id], NodeIds(finding));
            Assert.Contains($"run on the same host 127.0.0.1", finding.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Null, finding.GetProperty("fix").ValueKind);
        }
    }

    [Fact]
    public async Task Slots_no_primary_serves_are_refused_to_a_primary_without_their_keys_audited_as_refused_and_assigned_to_the_one_with_them()
    {
        await fixture.WaitForHealthyAsync();
        var (primaries, _) = await fixture.TopologyAsync();
        // The key's owner has the fewest slots once it loses one, so the fix's default choice is the node that holds the key.
        var owner = primaries.OrderBy(p => SlotRangeSet.Parse(p.Slots).SlotCount).ThenBy(p => p.Endpoint, StringComparer.Ordinal).First();
        var other = primaries.First(p => p.Id != owner.Id);
        var (key, slot) = await KeyOwnedByAsync(owner);
        await fixture.CliAsync(owner.Endpoint, "SET", key, "kept");

        await TestCleanup.RunAsync(
            async () =>
            {
                foreach (var endpoint in fixture.Cluster.Endpoints)
                {
                    await fixture.CliAsync(endpoint, "CLUSTER", "DELSLOTS", Text(slot));
                }

                var finding = (await fixture.WaitForFindingsAsync(f => f.Any(x => Kind(x) == "unassigned-slots"), "the unassigned slot"))
                    .Single(x => Kind(x) == "unassigned-slots");
                Assert.Equal("error", finding.GetProperty("severity").GetString());
                Assert.Equal(Text(slot), finding.GetProperty("slots").GetString());
                var fixId = finding.GetProperty("fix").GetProperty("id").GetString()!;
                Assert.StartsWith("assign-slots-", fixId, StringComparison.Ordinal);

                await MigrationsApiTests.AssertProblemAsync(
                    await fixture.PostAsync($"/api/doctor/fixes/{fixId}?dryRun=true&primaryId={other.Id}"), HttpStatusCode.Conflict, $"{owner.Endpoint} holds 1 key(s)");
                await MigrationsApiTests.AssertProblemAsync(
                    await fixture.PostAsync($"/api/doctor/fixes/{fixId}?primaryId={other.Id}"), HttpStatusCode.Conflict, $"{owner.Endpoint} holds 1 key(s)");
                await fixture.AssertAuditedAsync(fixId, "refused");
                var dryRun = await fixture.PostOkAsync($"/api/doctor/fixes/{fixId}?dryRun=true");
                Assert.True(dryRun.GetProperty("dryRun").GetBoolean());
                Assert.Equal([$"{owner.Endpoint}: CLUSTER ADDSLOTSRANGE {slot} {slot}"], Commands(dryRun));
                Assert.Contains(await fixture.FindingsAsync(), f => f.GetProperty("id").GetString() == finding.GetProperty("id").GetString());

                var sent = await fixture.PostOkAsync($"/api/doctor/fixes/{fixId}");

                Assert.False(sent.GetProperty("dryRun").GetBoolean());
                Assert.Equal(Commands(dryRun), Commands(sent));
                await fixture.WaitForHealthyAsync();
                Assert.Equal("kept", (await fixture.CliAsync(owner.Endpoint, "GET", key)).Trim());
                await fixture.AssertAuditedAsync(fixId, "accepted", "refused");
            },
            cleanup: async () =>
            {
                if (!(await fixture.CliAsync(owner.Endpoint, "CLUSTER", "NODES")).Split('\n').Single(l => l.Contains("myself", StringComparison.Ordinal))
                        .Split(' ').Skip(8).Any(r => SlotRangeSet.TryParse(r, out var set, out _) && set.Contains(slot)))
                {
                    await fixture.CliAsync(owner.Endpoint, "CLUSTER", "ADDSLOTS", Text(slot));
                }

                await fixture.WaitForHealthyAsync();
                await fixture.CliAsync(owner.Endpoint, "DEL", key);
            });
    }

    [Fact]
    public async Task Primaries_that_disagree_about_a_slot_are_named_with_what_each_says_and_no_fix()
    {
        await fixture.WaitForHealthyAsync();
        var (primaries, _) = await fixture.TopologyAsync();
        var owner = primaries[2];
        var slot = FirstSlot(owner.Slots);

        await TestCleanup.RunAsync(
            async () =>
            {
                // Only the owner forgets that it serves the slot; the others still say it does.
                await fixture.CliAsync(owner.Endpoint, "CLUSTER", "DELSLOTS", Text(slot));

                var finding = (await fixture.WaitForFindingsAsync(f => f.Any(x => Kind(x) == "slot-owner-disagreement"), "the disputed slot"))
                    .Single(x => Kind(x) == "slot-owner-disagreement");
                Assert.Equal("error", finding.GetProperty("severity").GetString());
                Assert.Equal(Text(slot), finding.GetProperty("slots").GetString());
                Assert.Equal(primaries.Select(p => p.Id).Order(StringComparer.Ordinal), NodeIds(finding).Order(StringComparer.Ordinal));
                var message = finding.GetProperty("message").GetString()!;
                Assert.Contains($"{owner.Endpoint} says nobody", message, StringComparison.Ordinal);
                Assert.Contains($"{primaries[0].Endpoint}, {primaries[1].Endpoint} say {owner.Endpoint}", message, StringComparison.Ordinal);
                Assert.Equal(JsonValueKind.Null, finding.GetProperty("fix").ValueKind);
                Assert.DoesNotContain(await fixture.FindingsAsync(), f => Kind(f) == "unassigned-slots");
            },
            cleanup: async () =>
            {
                await fixture.CliAsync(owner.Endpoint, "CLUSTER", "ADDSLOTS", Text(slot));
                await fixture.WaitForHealthyAsync();
            });
    }

    [Fact]
    public async Task A_failed_node_without_slots_is_forgotten_on_every_other_node()
    {
        await fixture.WaitForHealthyAsync();
        var spare = fixture.Cluster.SpareEndpoints[0];
        var spareId = (await fixture.CliAsync(spare, "CLUSTER", "MYID")).Trim();
        await fixture.CliAsync(fixture.Cluster.Endpoints[0], "CLUSTER", "MEET", "127.0.0.1", spare.Split(':')[1]);
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (await fixture.Client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray().Any(n => n.GetProperty("id").GetString() == spareId),
            TimeSpan.FromSeconds(30), "the spare node to join", TimeSpan.FromMilliseconds(200));
        // The spare leaves for good: the cluster marks it failed once a majority of primaries miss it (node timeout 2 s).
        try
        {
            await fixture.CliAsync(spare, "SHUTDOWN", "NOSAVE");
        }
        catch (InvalidOperationException)
        {
            // valkey-cli reports the connection the shutdown closed.
        }

        var finding = (await fixture.WaitForFindingsAsync(f => f.Any(x => Kind(x) == "failed-node"), "the failed node"))
            .Single(x => Kind(x) == "failed-node");
        Assert.Equal("warning", finding.GetProperty("severity").GetString());
        Assert.Equal([spareId], NodeIds(finding));
        Assert.Contains($"{spare} ({spareId}) is marked failed", finding.GetProperty("message").GetString(), StringComparison.Ordinal);
        var fixId = finding.GetProperty("fix").GetProperty("id").GetString()!;

        var dryRun = await fixture.PostOkAsync($"/api/doctor/fixes/{fixId}?dryRun=true");
        Assert.Equal(fixture.Cluster.Endpoints.Order(StringComparer.Ordinal).Select(e => $"{e}: CLUSTER FORGET {spareId}"), Commands(dryRun));
        Assert.Contains(spareId, await fixture.CliAsync(fixture.Cluster.Endpoints[1], "CLUSTER", "NODES"), StringComparison.Ordinal);
        var sent = await fixture.PostOkAsync($"/api/doctor/fixes/{fixId}");

        Assert.Equal(Commands(dryRun), Commands(sent));
        await fixture.WaitForHealthyAsync();
        foreach (var endpoint in fixture.Cluster.Endpoints)
        {
            Assert.DoesNotContain(spareId, await fixture.CliAsync(endpoint, "CLUSTER", "NODES"), StringComparison.Ordinal);
        }

        await fixture.AssertAuditedAsync(fixId);
    }

    [Fact]
    public async Task A_primary_whose_replica_went_elsewhere_is_warned_about()
    {
        await fixture.WaitForHealthyAsync();
        var (primaries, replicas) = await fixture.TopologyAsync();
        var (alone, other) = (primaries[0], primaries[1]);
        var replica = replicas.Single(r => r.PrimaryId == alone.Id);

        await TestCleanup.RunAsync(
            async () =>
            {
                await fixture.CliAsync(replica.Endpoint, "CLUSTER", "REPLICATE", other.Id);

                var finding = (await fixture.WaitForFindingsAsync(f => f.Any(x => Kind(x) == "primary-without-replica"), "the primary without replica"))
                    .Single(x => Kind(x) == "primary-without-replica");
                Assert.Equal("warning", finding.GetProperty("severity").GetString());
                Assert.Equal([alone.Id], NodeIds(finding));
                Assert.Equal(alone.Slots, finding.GetProperty("slots").GetString());
                Assert.Contains($"CLUSTER REPLICATE {alone.Id}", finding.GetProperty("message").GetString(), StringComparison.Ordinal);
                Assert.Equal(JsonValueKind.Null, finding.GetProperty("fix").ValueKind);
            },
            cleanup: async () =>
            {
                await fixture.CliAsync(replica.Endpoint, "CLUSTER", "REPLICATE", alone.Id);
                await fixture.WaitForHealthyAsync();
            });
    }

    [Fact]
    public async Task Slot_statistics_turned_off_are_turned_on_again_and_the_fix_is_then_gone()
    {
        await fixture.WaitForHealthyAsync();
        var (primaries, _) = await fixture.TopologyAsync();
        var off = primaries.Take(2).OrderBy(p => p.Endpoint, StringComparer.Ordinal).ToList();

        await TestCleanup.RunAsync(
            async () =>
            {
                foreach (var primary in off)
                {
                    await fixture.CliAsync(primary.Endpoint, "CONFIG", "SET", "cluster-slot-stats-enabled", "no");
                }

                var finding = (await fixture.WaitForFindingsAsync(f => f.Any(x => Kind(x) == "slot-stats-disabled"), "slot statistics off"))
                    .Single(x => Kind(x) == "slot-stats-disabled");
                Assert.Equal(off.Select(p => p.Id).Order(StringComparer.Ordinal), NodeIds(finding).Order(StringComparer.Ordinal));
                var fixId = finding.GetProperty("fix").GetProperty("id").GetString()!;

                var dryRun = await fixture.PostOkAsync($"/api/doctor/fixes/{fixId}?dryRun=true");
                Assert.Equal(off.Select(p => $"{p.Endpoint}: CONFIG SET cluster-slot-stats-enabled yes"), Commands(dryRun));
                Assert.Contains("no", await fixture.CliAsync(off[0].Endpoint, "CONFIG", "GET", "cluster-slot-stats-enabled"), StringComparison.Ordinal);
                var sent = await fixture.PostOkAsync($"/api/doctor/fixes/{fixId}");

                Assert.DoesNotContain(sent.GetProperty("after").GetProperty("findings").EnumerateArray(), f => Kind(f) == "slot-stats-disabled");
                foreach (var primary in off)
                {
                    Assert.Contains("yes", await fixture.CliAsync(primary.Endpoint, "CONFIG", "GET", "cluster-slot-stats-enabled"), StringComparison.Ordinal);
                }

                await fixture.AssertAuditedAsync(fixId);
                await MigrationsApiTests.AssertProblemAsync(await fixture.PostAsync($"/api/doctor/fixes/{fixId}"), HttpStatusCode.Conflict, $"the finding of fix {fixId} is gone");
            },
            cleanup: async () =>
            {
                foreach (var primary in off)
                {
                    await fixture.CliAsync(primary.Endpoint, "CONFIG", "SET", "cluster-slot-stats-enabled", "yes");
                }

                await fixture.WaitForHealthyAsync();
            });
    }

    [Fact]
    public async Task An_atomic_migration_held_in_place_is_reported_stalled_until_it_is_cancelled()
    {
        await fixture.WaitForHealthyAsync();
        var (primaries, _) = await fixture.TopologyAsync();
        var (source, target) = (primaries[0], primaries[1]);
        var start = FirstSlot(source.Slots);

        await TestCleanup.RunAsync(
            async () =>
            {
                await fixture.CliAsync(source.Endpoint, "DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", "1");
                await fixture.CliAsync(source.Endpoint, "CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", Text(start), Text(start + 9), "NODE", target.Id);

                var finding = (await fixture.WaitForFindingsAsync(f => f.Any(x => Kind(x) == "stalled-migration"), "the stalled migration"))
                    .Single(x => Kind(x) == "stalled-migration");
                Assert.Equal("warning", finding.GetProperty("severity").GetString());
                Assert.Equal([source.Id, target.Id], NodeIds(finding));
                Assert.Equal($"{start}-{start + 9}", finding.GetProperty("slots").GetString());
                var message = finding.GetProperty("message").GetString()!;
                Assert.Contains($"from {source.Endpoint} to {target.Endpoint} has been in state ", message, StringComparison.Ordinal);
                Assert.Contains("without progress; the other side last answered", message, StringComparison.Ordinal);
                Assert.Contains($"CLUSTER CANCELSLOTMIGRATIONS on {source.Endpoint}", message, StringComparison.Ordinal);

                await fixture.CliAsync(source.Endpoint, "CLUSTER", "CANCELSLOTMIGRATIONS");
                await fixture.WaitForHealthyAsync();
            },
            cleanup: async () =>
            {
                // A test that failed before its cancel leaves the job held: cancelled first (the source keeps every
                // key), or releasing the pause would let it finish and move the slots. "No migrations ongoing" otherwise.
                await fixture.CliAsync(source.Endpoint, "CLUSTER", "CANCELSLOTMIGRATIONS");
                await fixture.CliAsync(source.Endpoint, "DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", "0");
                await fixture.WaitForHealthyAsync();
                Assert.Equal(source.Slots, (await fixture.TopologyAsync()).Primaries.Single(p => p.Id == source.Id).Slots);
            });
    }

    /// <summary>A key (and its slot) that lands in a slot <paramref name="owner"/> serves.</summary>
    private async Task<(string Key, int Slot)> KeyOwnedByAsync((string Id, string Endpoint, string Slots) owner)
    {
        var slots = SlotRangeSet.Parse(owner.Slots);
        for (var i = 0; ; i++)
        {
            var key = $"doctor:unassigned:{i}";
            var slot = int.Parse((await fixture.CliAsync(owner.Endpoint, "CLUSTER", "KEYSLOT", key)).Trim(), CultureInfo.InvariantCulture);
            if (slots.Contains(slot))
            {
                return (key, slot);
            }
        }
    }
}
