using System.Globalization;
using StackExchange.Redis;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using SlotRange = ValkeyDashboard.Cluster.Model.SlotRange;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// Takes a few empty slots away from their primary on the shared cluster for the length of a test, so no node owns
/// them (<c>CLUSTER DELSLOTSRANGE</c>, first on the owner, then on every other node until all agree: the cluster
/// state is then <c>fail</c>), and gives them back to the same primary afterwards (<c>CLUSTER ADDSLOTSRANGE</c> on the
/// owner), waiting until every node and the dashboard report <c>cluster_state:ok</c> again.
/// </summary>
internal sealed class UnassignedSlots(HttpClient api, ConnectionMultiplexer valkey, ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>The slots taken away: the middle of the map's last row (row 127, columns 44-47), empty in the shared cluster.</summary>
    public static SlotRange Range { get; } = new(16300, 16303);

    /// <summary>The primary that owns <see cref="Range"/> and gets it back.</summary>
    public (string Id, string Endpoint, string Slots) Owner { get; private set; }

    /// <summary>
    /// Runs <paramref name="test"/> while <see cref="Range"/> is unassigned, then assigns it back whatever happened. A
    /// failure to restore is reported, but never in place of the test's own failure (it is written to the output then).
    /// </summary>
    public async Task WhileUnassignedAsync(Func<Task> test)
    {
        Exception? failure = null;
        try
        {
            await RemoveAsync();
            await test();
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            try
            {
                await RestoreAsync();
            }
            catch (Exception cleanup) when (failure is not null)
            {
                output.WriteLine($"Restoring slots {Range} failed as well (the test's own failure is reported): {cleanup}");
            }
        }
    }

    private async Task RemoveAsync()
    {
        var primaries = await api.PrimariesAsync();
        Owner = primaries.Single(p => ValkeyDashboard.Cluster.Model.SlotRangeSet.Parse(p.Slots).Contains(Range.Start));
        var owner = valkey.GetServer(Owner.Endpoint);
        foreach (var slot in Enumerable.Range(Range.Start - 1, Range.Count + 2))
        {
            // The test compares those cells with the colour of zero keys, and a slot with keys must not lose its owner.
            var keys = (long)await owner.ExecuteAsync("CLUSTER", "COUNTKEYSINSLOT", slot);
            Assert.True(keys == 0, $"slot {slot} holds {keys} keys on {Owner.Endpoint}; the test needs {Range.Start - 1}-{Range.End + 1} empty");
        }

        await DeleteSlotsAsync(owner);
        var nodes = await EndpointsAsync();
        // The owner first: once it no longer claims the slots, no node learns them back from its gossip.
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ =>
            {
                var agreeing = 0;
                foreach (var node in nodes)
                {
                    var server = valkey.GetServer(node);
                    if (OwnerInView(await ClusterNodesAsync(server)) is null)
                    {
                        agreeing++;
                    }
                    else
                    {
                        await DeleteSlotsAsync(server);
                    }
                }

                return agreeing == nodes.Count;
            },
            Deadline, $"every node to see slots {Range} unassigned", TimeSpan.FromMilliseconds(100));
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (await api.GetJsonAsync("/api/cluster")).GetProperty("slotsAssigned").GetInt32() == SlotRange.SlotCount - Range.Count,
            Deadline, $"the dashboard to see {SlotRange.SlotCount - Range.Count} slots assigned", TimeSpan.FromMilliseconds(100));
    }

    private async Task RestoreAsync()
    {
        if (Owner.Id is null)
        {
            return;
        }

        var owner = valkey.GetServer(Owner.Endpoint);
        if (OwnerInView(await ClusterNodesAsync(owner)) != Owner.Id)
        {
            await owner.ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", Range.Start, Range.End);
        }

        var nodes = await EndpointsAsync();
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ =>
            {
                foreach (var node in nodes)
                {
                    var server = valkey.GetServer(node);
                    var info = (string)(await server.ExecuteAsync("CLUSTER", "INFO"))!;
                    if (OwnerInView(await ClusterNodesAsync(server)) != Owner.Id || !info.Contains("cluster_state:ok", StringComparison.Ordinal))
                    {
                        return false;
                    }
                }

                return true;
            },
            Deadline, $"every node to see {Owner.Endpoint} own {Range} again and cluster_state ok", TimeSpan.FromMilliseconds(100));
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ =>
            {
                var cluster = await api.GetJsonAsync("/api/cluster");
                return cluster.GetProperty("state").GetString() == "ok" && cluster.GetProperty("slotsAssigned").GetInt32() == SlotRange.SlotCount;
            },
            Deadline, "the dashboard to see the cluster ok with every slot assigned", TimeSpan.FromMilliseconds(100));
    }

    private static async Task DeleteSlotsAsync(IServer server)
    {
        try
        {
            await server.ExecuteAsync("CLUSTER", "DELSLOTSRANGE", Range.Start, Range.End);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("already unassigned", StringComparison.OrdinalIgnoreCase))
        {
            // Another node's view changed in between; what counts is that no node lists an owner any more.
        }
    }

    private async Task<List<string>> EndpointsAsync() =>
        [.. (await api.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("endpoint").GetString()!)];

    private static async Task<string> ClusterNodesAsync(IServer server) => (string)(await server.ExecuteAsync("CLUSTER", "NODES"))!;

    /// <summary>The id of the node that owns <see cref="Range"/> in one node's <c>CLUSTER NODES</c>, or null when none owns any of it.</summary>
    private static string? OwnerInView(string clusterNodes)
    {
        foreach (var line in clusterNodes.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ');
            foreach (var slots in fields.Skip(8).Where(f => !f.StartsWith('[')))
            {
                var bounds = slots.Split('-').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                if (bounds[0] <= Range.End && bounds[^1] >= Range.Start)
                {
                    return fields[0];
                }
            }
        }

        return null;
    }
}
