using System.Net;
using System.Text.Json;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Doctor;

/// <summary>
/// The doctor pointed at a Redis 7.0 cluster (no slot statistics, no atomic migration): it answers with what it finds
/// there, and sends no command the servers lack (their error statistics stay empty).
/// </summary>
public class DoctorOnOlderServerTests(Redis7ClusterFixture fixture) : IClassFixture<Redis7ClusterFixture>
{
    [Fact]
    public async Task The_doctor_on_redis_7_finds_each_primary_without_replica_and_sends_nothing_redis_lacks()
    {
        await using var factory = DashboardAppFactory.External([fixture.Cluster.Endpoints[0]]);
        using var client = factory.CreateClient();
        // What the client library tries once when it connects comes before this, and does not count.
        await FindingsAsync(client);
        await fixture.Cluster.ResetStatsAsync();

        var findings = await FindingsAsync(client);
        await FindingsAsync(client);

        var primaries = await client.PrimariesAsync();
        Assert.Equal(3, primaries.Count);
        Assert.All(findings, f => Assert.Equal("primary-without-replica", f.GetProperty("kind").GetString()));
        Assert.Equal(
            primaries.Select(p => (p.Id, p.Slots)).Order(),
            findings.Select(f => (f.GetProperty("nodeIds")[0].GetString()!, f.GetProperty("slots").GetString()!)).Order());
        var errors = await fixture.Cluster.ErrorRepliesAsync();
        Assert.True(errors.Count == 0, $"Redis nodes answered the doctor with errors: {string.Join("; ", errors.Select(e => $"{e.Key} {string.Join(' ', e.Value)}"))}");
    }

    private static async Task<IReadOnlyList<JsonElement>> FindingsAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/api/doctor", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /api/doctor: {response.StatusCode} {text}");
        return [.. JsonDocument.Parse(text).RootElement.GetProperty("findings").EnumerateArray()];
    }
}
