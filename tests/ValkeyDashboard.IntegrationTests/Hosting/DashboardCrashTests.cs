using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Hosting;

/// <summary>
/// The dashboard process dies (<c>kill -9</c>) in the middle of a migration while applications use the cluster, and is
/// started again on the same folder: it adopts the nodes that kept running instead of bouncing them, so the clients
/// never notice, and it follows the migration to its true end.
/// </summary>
[Collection(OwnClustersCollection.Name)]
public class DashboardCrashTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_dashboard_killed_mid_migration_under_load_comes_back_without_restarting_a_node_or_failing_a_client_command()
    {
        var folder = TestDirectories.Create("crash");
        var settings = DashboardProcess.EmbeddedSettings(folder, TestPorts.AllocateBlock(10));
        settings["Valkey:Password"] = "crash-test-password";
        var clusterFolder = settings["Valkey:Embedded:DataDirectory"];
        DashboardProcess? second = null;
        try
        {
            string id, source, target;
            SlotRangeSet slots;
            IReadOnlyList<int> pidsBefore;
            ConnectionMultiplexer client;
            ClientLoad load;
            string[] keys;
            await using (var first = await DashboardProcess.StartAsync(settings))
            {
                var primaries = await first.Client.PrimariesAsync();
                source = primaries[0].Id;
                target = primaries[1].Id;
                var start = MigrationsApiTests.LargestRangeStart(primaries[0].Slots);
                slots = SlotRangeSet.Parse($"{start}-{start + 1999}");

                client = await ApplicationClient.ConnectAsync(settings["Valkey:Password"], primaries[0].Endpoint);
                var db = client.GetDatabase();
                keys = [.. Enumerable.Range(0, 60_000).Select(i => $"crash:{i}")];
                await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, "0")));
                var moving = keys.Count(k => slots.Contains(client.HashSlot(k)));

                // Held before its final pause, so the kill catches it running; Valkey goes on with it on its own.
                await client.GetServer(primaries[0].Endpoint).ExecuteAsync("DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", 1);
                using var response = await first.Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slots}}", "targetNodeId": "{{target}}"}""");
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
                var running = await first.Client.WaitForMigrationAsync(id, m => m.GetProperty("jobs")[0].GetProperty("valkeyState").GetString() == "waiting-to-pause", Deadline);
                Assert.Equal(moving, running.GetProperty("estimate").GetProperty("keys").GetInt64());

                // Clients that read back every write, over the migrating slots and the rest.
                load = new ClientLoad(db, [.. keys.Where((_, i) => i % 20 == 0)], writers: 3);
                await load.WaitForOperationsAsync(2_000, Deadline);

                pidsBefore = [.. ValkeyProcesses.Find(clusterFolder).Order()];
                Assert.Equal(6, pidsBefore.Count);
                first.Kill();
            }

            // Nodes keep serving while no dashboard runs.
            var opsAtKill = load.Operations;
            await load.WaitForOperationsAsync(opsAtKill + 1_000, Deadline);

            second = await DashboardProcess.StartAsync(settings);
            var cluster = await second.Client.GetJsonAsync("/api/cluster");
            Assert.All(cluster.GetProperty("nodes").EnumerateArray(), n =>
            {
                Assert.True(n.GetProperty("process").GetProperty("adopted").GetBoolean(), n.GetRawText());
                Assert.Empty(n.GetProperty("process").GetProperty("drift").EnumerateArray());
            });
            Assert.Equal(pidsBefore, [.. cluster.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("process").GetProperty("pid").GetInt32()).Order()]);
            Assert.Equal(pidsBefore, ValkeyProcesses.Find(clusterFolder).Order());

            var listed = await second.Client.GetJsonAsync($"/api/migrations/{id}");
            Assert.Equal("running", listed.GetProperty("state").GetString());
            await client.GetServer(cluster.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == source).GetProperty("endpoint").GetString()!)
                .ExecuteAsync("DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", 0);
            var done = await second.Client.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", Deadline);
            Assert.Equal("succeeded", done.GetProperty("state").GetString());

            var opsAfter = load.Operations;
            await load.WaitForOperationsAsync(opsAfter + 1_000, Deadline);
            await load.StopAsync();
            Assert.Empty(load.Failures);
            Assert.Equal(0, load.StaleReads);

            var owner = (await second.Client.PrimariesAsync()).Single(p => p.Id == target);
            Assert.True(slots.Except(SlotRangeSet.Parse(owner.Slots)).IsEmpty, $"{target} owns {owner.Slots}, not all of {slots}");
            var db2 = client.GetDatabase();
            var values = await Task.WhenAll(keys.Select(k => db2.StringGetAsync(k)));
            Assert.All(values, v => Assert.True(v.HasValue));
            foreach (var (key, written) in load.LastWritten)
            {
                Assert.Equal(written, (long)await db2.StringGetAsync(key));
            }

            load.Dispose();
            await client.DisposeAsync();
            Assert.Equal(pidsBefore, ValkeyProcesses.Find(clusterFolder).Order());

            await second.StopAsync();
            Assert.Empty(ValkeyProcesses.Find(clusterFolder));
        }
        finally
        {
            if (second is not null)
            {
                await second.DisposeAsync();
            }

            // Whatever went wrong, no node of this test outlives it.
            foreach (var pid in ValkeyProcesses.Find(clusterFolder))
            {
                using var node = System.Diagnostics.Process.GetProcessById(pid);
                node.Kill();
                await node.WaitForExitAsync();
            }

            TestDirectories.Delete(folder);
        }
    }
}
