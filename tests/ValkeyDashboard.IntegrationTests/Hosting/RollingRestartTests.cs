using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Hosting;

/// <summary>
/// An upgrade as an operator does it: the dashboard crashes, is started again with other Valkey binaries, adopts the
/// running nodes and flags each as running the old ones; a rolling restart then puts every node on the new binaries,
/// one at a time, while clients keep reading back every write.
/// </summary>
[Collection(OwnClustersCollection.Name)]
public class RollingRestartTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task After_a_crash_and_a_start_with_new_binaries_the_nodes_are_adopted_and_flagged_and_a_rolling_restart_moves_every_node_onto_them()
    {
        var folder = TestDirectories.Create("rolling");
        var (oldBinaries, newBinaries) = (Path.Combine(folder, "valkey-old"), Path.Combine(folder, "valkey-new"));
        var installed = Path.GetDirectoryName(Cluster.Hosting.ValkeyInstallation.Locate(null).ServerPath)!;
        foreach (var binaries in new[] { oldBinaries, newBinaries })
        {
            // Two installations of the same release, told apart by their folder (the version cannot differ here).
            Directory.CreateDirectory(binaries);
            File.CreateSymbolicLink(Path.Combine(binaries, "valkey-server"), Path.Combine(installed, "valkey-server"));
            File.CreateSymbolicLink(Path.Combine(binaries, "valkey-cli"), Path.Combine(installed, "valkey-cli"));
        }

        var settings = DashboardProcess.EmbeddedSettings(folder, TestPorts.AllocateBlock(10));
        settings["Valkey:Password"] = "rolling-test-password";
        settings["Valkey:BinaryDirectory"] = oldBinaries;
        settings["Valkey:Embedded:FailoverGracePeriod"] = "00:00:01";
        var clusterFolder = settings["Valkey:Embedded:DataDirectory"];
        try
        {
            IReadOnlyList<int> oldPids;
            await using (var first = await DashboardProcess.StartAsync(settings))
            {
                oldPids = [.. ValkeyProcesses.Find(clusterFolder).Order()];
                first.Kill();
            }

            settings["Valkey:BinaryDirectory"] = newBinaries;
            await using var second = await DashboardProcess.StartAsync(settings);
            var nodes = (await second.Client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray().ToList();
            Assert.Equal(oldPids, [.. nodes.Select(n => n.GetProperty("process").GetProperty("pid").GetInt32()).Order()]);
            Assert.All(nodes, n =>
            {
                Assert.True(n.GetProperty("process").GetProperty("adopted").GetBoolean());
                var drift = Assert.Single(n.GetProperty("process").GetProperty("drift").EnumerateArray()).GetString()!;
                Assert.Contains(Path.Combine(oldBinaries, "valkey-server"), drift, StringComparison.Ordinal);
                Assert.Contains("a rolling restart upgrades it", drift, StringComparison.Ordinal);
            });

            await using var client = await ApplicationClient.ConnectAsync(settings["Valkey:Password"], nodes[0].GetProperty("endpoint").GetString()!);
            var broadcasts = 0;

            // The dashboard announces every new primary on StackExchange.Redis's configuration channel.
            client.ConfigurationChangedBroadcast += (_, _) => Interlocked.Increment(ref broadcasts);
            var db = client.GetDatabase();
            var keys = Enumerable.Range(0, 3_000).Select(i => $"rolling:{i}").ToArray();
            await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, "0")));
            using var load = new ClientLoad(db, keys, writers: 3);
            await load.WaitForOperationsAsync(1_000, Deadline);

            using var started = await second.Client.PostJsonAsync("/api/nodes/restart", "{}");
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            var location = started.Headers.Location!.ToString();
            var steps = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("steps").EnumerateArray().ToList();
            Assert.Equal(6, steps.Count);
            Assert.All(steps.Take(3), s => Assert.Equal("replica", s.GetProperty("role").GetString()));
            Assert.All(steps.Skip(3), s => Assert.Contains("fail primary", s.GetProperty("plan").GetString(), StringComparison.Ordinal));

            var done = await second.Client.GetJsonAsync($"{location}?wait=100");
            for (var polls = 0; polls < 5 && done.GetProperty("state").GetString() is "running"; polls++)
            {
                done = await second.Client.GetJsonAsync($"{location}?wait=100");
            }

            Assert.True(done.GetProperty("state").GetString() == "succeeded", done.GetRawText());
            Assert.All(done.GetProperty("steps").EnumerateArray(), s => Assert.NotEqual(s.GetProperty("processIdBefore").GetInt32(), s.GetProperty("processIdAfter").GetInt32()));

            var after = (await second.Client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray().ToList();
            Assert.All(after, n =>
            {
                Assert.Equal("online", n.GetProperty("health").GetString());
                Assert.False(n.GetProperty("process").GetProperty("adopted").GetBoolean());
                Assert.Empty(n.GetProperty("process").GetProperty("drift").EnumerateArray());
                Assert.DoesNotContain(n.GetProperty("process").GetProperty("pid").GetInt32(), oldPids);
            });
            Assert.All(Directory.GetDirectories(clusterFolder, "node-*"), d =>
                Assert.Equal(Path.Combine(newBinaries, "valkey-server"), File.ReadAllText(Path.Combine(d, "valkey-server.path")).Trim()));

            await ClientLoadChecks.AssertNoCommandFailedAsync(load, Deadline);
            Assert.True(broadcasts > 0, "the client never heard the dashboard announce a new primary");
            Assert.Equal(0, load.StaleReads);
            foreach (var (key, written) in load.LastWritten)
            {
                Assert.Equal(written, (long)await db.StringGetAsync(key));
            }

            var audit = await second.Client.GetJsonAsync("/api/audit?pageSize=50");
            Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "rolling-restart.start");
            Assert.Equal(6, audit.GetProperty("items").EnumerateArray().Count(e => e.GetProperty("action").GetString() == "node.restart"));
        }
        finally
        {
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
