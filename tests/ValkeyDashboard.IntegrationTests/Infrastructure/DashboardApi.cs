using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Hosting;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>Small helpers for talking to the dashboard's API in tests, as a script would.</summary>
internal static class DashboardApi
{
    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path) =>
        await client.GetFromJsonAsync<JsonElement>(new Uri(path, UriKind.Relative));

    public static async Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json, string? idempotencyKey = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, contentType),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    /// <summary>
    /// Primaries from /api/cluster (or <paramref name="api"/>/cluster, e.g. /api/clusters/{name}), in endpoint order:
    /// (id, endpoint, slots as "a-b,c").
    /// </summary>
    public static async Task<IReadOnlyList<(string Id, string Endpoint, string Slots)>> PrimariesAsync(this HttpClient client, string api = "/api")
    {
        var cluster = await client.GetJsonAsync($"{api}/cluster");
        return [.. cluster.GetProperty("nodes").EnumerateArray()
            .Where(n => n.GetProperty("role").GetString() == "primary")
            .Select(n => (n.GetProperty("id").GetString()!, n.GetProperty("endpoint").GetString()!,
                string.Join(',', n.GetProperty("slots").EnumerateArray().Select(r => r[0].GetInt32() == r[1].GetInt32() ? $"{r[0]}" : $"{r[0]}-{r[1]}"))))
            .OrderBy(p => p.Item2, StringComparer.Ordinal)];
    }

    /// <summary>Waits until GET /api/migrations/{id} (under <paramref name="api"/>) satisfies the predicate.</summary>
    public static async Task<JsonElement> WaitForMigrationAsync(this HttpClient client, string id, Func<JsonElement, bool> predicate, TimeSpan timeout, string api = "/api")
    {
        JsonElement last = default;
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ =>
            {
                last = await client.GetJsonAsync($"{api}/migrations/{id}");
                return predicate(last);
            },
            timeout, $"migration {id} to reach the expected state", TimeSpan.FromMilliseconds(50));
        return last;
    }

    /// <summary>
    /// Moves <paramref name="slots"/> to <paramref name="targetId"/> through the API unless it owns them already, and
    /// waits for the migration to succeed (also a test's clean-up: putting the layout back). Returns the migration's id,
    /// or null when the target owned the slots already. <paramref name="prefix"/> chooses the cluster (/api: the default).
    /// </summary>
    public static async Task<string?> MoveSlotsAsync(this HttpClient api, string slots, string targetId, TimeSpan timeout, string prefix = "/api")
    {
        var owner = (await api.PrimariesAsync(prefix)).Single(p => p.Id == targetId);
        if (Cluster.Model.SlotRangeSet.Parse(slots).Except(Cluster.Model.SlotRangeSet.Parse(owner.Slots)).IsEmpty)
        {
            return null;
        }

        var response = await api.PostJsonAsync($"{prefix}/migrations", $$"""{"slots": "{{slots}}", "targetNodeId": "{{targetId}}"}""");
        var body = await response.Content.ReadAsStringAsync();
        // Slots still moving in a migration the test started (a clean-up right after it): that one ends first.
        if (response.StatusCode == System.Net.HttpStatusCode.Conflict
            && JsonDocument.Parse(body).RootElement.TryGetProperty("conflictingMigrationId", out var conflicting))
        {
            response.Dispose();
            await api.WaitForMigrationAsync(conflicting.GetString()!, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", timeout, prefix);
            return await api.MoveSlotsAsync(slots, targetId, timeout, prefix);
        }

        using var _ = response;
        Assert.True(response.IsSuccessStatusCode, $"moving {slots} to {owner.Endpoint} answered {(int)response.StatusCode}: {body}");
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        var final = await api.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", timeout, prefix);
        Assert.True(final.GetProperty("state").GetString() == "succeeded", $"moving {slots} to {owner.Endpoint} ended {final.GetRawText()}");
        return id;
    }

    /// <summary>A cluster client connected to the app's embedded cluster, for test data.</summary>
    public static Task<ConnectionMultiplexer> ConnectToClusterAsync(this DashboardAppFactory factory)
    {
        var options = factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ValkeyOptions>>().Value;
        var host = factory.Services.GetRequiredService<LocalClusterHost>();
        return ConnectionMultiplexer.ConnectAsync(ValkeyConnection.CreateConfiguration(options, host.GetSeedEndpoints()));
    }
}
