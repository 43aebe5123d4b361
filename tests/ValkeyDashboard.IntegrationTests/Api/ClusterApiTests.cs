using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

[Collection(DashboardAppCollection.Name)]
public class ClusterApiTests(DashboardAppFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Cluster_returns_state_slots_and_every_node_in_the_documented_shape()
    {
        using var response = await Client.GetAsync(new Uri("/api/cluster", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("ok", root.GetProperty("state").GetString());
        Assert.Equal(16384, root.GetProperty("slotsAssigned").GetInt32());
        var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(6, nodes.Count);

        var primaries = nodes.Where(n => n.GetProperty("role").GetString() == "primary").ToList();
        var replicas = nodes.Where(n => n.GetProperty("role").GetString() == "replica").ToList();
        Assert.Equal(3, primaries.Count);
        Assert.Equal(3, replicas.Count);
        var primaryIds = primaries.Select(p => p.GetProperty("id").GetString()).ToHashSet();
        Assert.All(nodes, n =>
        {
            Assert.Matches("^[0-9a-f]{40}$", n.GetProperty("id").GetString());
            Assert.Matches(@"^127\.0\.0\.1:\d+$", n.GetProperty("endpoint").GetString());
            Assert.Equal("online", n.GetProperty("health").GetString());
            Assert.StartsWith("9.", n.GetProperty("version").GetString(), StringComparison.Ordinal);
            Assert.Equal("valkey", n.GetProperty("product").GetString());
            // The embedded cluster runs Valkey 9 with slot statistics on: everything the dashboard can use.
            Assert.Equal(
                ["cluster-shards", "slot-stats", "slot-stats-load", "atomic-slot-migration", "key-migration"],
                n.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal(JsonValueKind.Number, n.GetProperty("keys").ValueKind);
            Assert.True(n.GetProperty("usedMemoryBytes").GetInt64() > 0);
        });
        Assert.All(primaries, p => Assert.Equal(JsonValueKind.Null, p.GetProperty("primaryId").ValueKind));
        Assert.All(replicas, r => Assert.Contains(r.GetProperty("primaryId").GetString(), primaryIds));

        var covered = primaries
            .SelectMany(p => p.GetProperty("slots").EnumerateArray())
            .Sum(range => range[1].GetInt32() - range[0].GetInt32() + 1);
        Assert.Equal(16384, covered);
        Assert.Contains(primaries, p => p.GetProperty("slots")[0][0].GetInt32() == 0);
    }

    [Fact]
    public async Task Slots_returns_compact_arrays_of_16384_with_statistics()
    {
        var slots = await Client.GetFromJsonAsync<JsonElement>(new Uri("/api/slots", UriKind.Relative));

        Assert.Equal(3, slots.GetProperty("primaries").GetArrayLength());
        Assert.Equal(16384, slots.GetProperty("owner").GetArrayLength());
        Assert.Equal(16384, slots.GetProperty("keys").GetArrayLength());
        Assert.Equal(16384, slots.GetProperty("cpuUsec").GetArrayLength());
        Assert.Equal(16384, slots.GetProperty("networkBytesIn").GetArrayLength());
        Assert.Equal(16384, slots.GetProperty("networkBytesOut").GetArrayLength());
    }

    [Fact]
    public async Task Each_slots_owner_index_points_at_the_primary_that_serves_it()
    {
        var slots = await Client.GetFromJsonAsync<JsonElement>(new Uri("/api/slots", UriKind.Relative));
        var cluster = await Client.GetJsonAsync("/api/cluster");

        var primaries = slots.GetProperty("primaries").EnumerateArray().Select(p => p.GetString()).ToList();
        var owner = slots.GetProperty("owner").EnumerateArray().Select(o => o.GetInt32()).ToArray();
        var expected = new int[16384];
        Array.Fill(expected, -1);
        foreach (var node in cluster.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("role").GetString() == "primary"))
        {
            var index = primaries.IndexOf(node.GetProperty("id").GetString());
            Assert.True(index >= 0, $"{node.GetProperty("endpoint").GetString()} is not among /api/slots' primaries");
            foreach (var range in node.GetProperty("slots").EnumerateArray())
            {
                Array.Fill(expected, index, range[0].GetInt32(), range[1].GetInt32() - range[0].GetInt32() + 1);
            }
        }

        // One message with the count and an example rather than 16,384 numbers.
        var wrong = Enumerable.Range(0, 16384).Where(s => owner[s] != expected[s]).ToList();
        Assert.True(wrong.Count == 0,
            $"{wrong.Count} slots have the wrong owner index, e.g. slot {wrong.FirstOrDefault()}: {owner[wrong.FirstOrDefault()]}, expected {expected[wrong.FirstOrDefault()]}");
    }

    [Fact]
    public async Task Health_is_healthy_while_the_cluster_is_ok()
    {
        using var response = await Client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("ok", body.GetProperty("cluster").GetProperty("state").GetString());
        Assert.Equal(6, body.GetProperty("cluster").GetProperty("nodes").GetInt32());
    }

    [Fact]
    public async Task A_single_cluster_is_named_default_and_also_served_under_its_name()
    {
        var listed = Assert.Single((await Client.GetJsonAsync("/api/clusters")).GetProperty("items").EnumerateArray());
        Assert.Equal("default", listed.GetProperty("name").GetString());
        Assert.True(listed.GetProperty("default").GetBoolean());
        Assert.Equal("embedded", listed.GetProperty("mode").GetString());

        Assert.Equal(await Client.PrimariesAsync(), await Client.PrimariesAsync("/api/clusters/default"));
        Assert.Equal((await Client.GetJsonAsync("/api/migrations?pageSize=5")).GetProperty("total").GetInt32(),
            (await Client.GetJsonAsync("/api/clusters/default/migrations?pageSize=5")).GetProperty("total").GetInt32());
        await MigrationsApiTests.AssertProblemAsync(await Client.GetAsync(new Uri("/api/clusters/other/cluster", UriKind.Relative)), HttpStatusCode.NotFound,
            "there is no cluster \"other\"; the clusters are: default");
    }

    [Fact]
    public async Task OpenApi_document_describes_the_cluster_endpoints()
    {
        var document = await Client.GetFromJsonAsync<JsonElement>(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("ValkeyDashboard API", document.GetProperty("info").GetProperty("title").GetString());
        var paths = document.GetProperty("paths");
        Assert.False(string.IsNullOrEmpty(paths.GetProperty("/api/cluster").GetProperty("get").GetProperty("summary").GetString()));
        Assert.False(string.IsNullOrEmpty(paths.GetProperty("/api/slots").GetProperty("get").GetProperty("summary").GetString()));
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("ClusterResponse", out _));
        var node = document.GetProperty("components").GetProperty("schemas").GetProperty("NodeResponse").GetProperty("properties");
        Assert.True(node.TryGetProperty("product", out _));
        Assert.True(node.TryGetProperty("capabilities", out _));
        var clusterExample = paths.GetProperty("/api/cluster").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("nodes");
        Assert.Equal("redis", clusterExample[0].GetProperty("product").GetString());
        Assert.Contains("atomic-slot-migration", clusterExample[1].GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));

        var start = paths.GetProperty("/api/migrations").GetProperty("post");
        Assert.False(string.IsNullOrEmpty(start.GetProperty("summary").GetString()));
        Assert.Equal("0-99,5000", start.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("slots").GetString());
        Assert.Equal("running", start.GetProperty("responses").GetProperty("202").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("state").GetString());
        Assert.True(start.GetProperty("responses").TryGetProperty("409", out _));
        Assert.Equal("auto", start.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("engine").GetString());
        Assert.Equal("atomic", start.GetProperty("responses").GetProperty("202").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("engine").GetString());
        Assert.Equal("keys", paths.GetProperty("/api/migrations/{id}").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content")
            .GetProperty("application/json").GetProperty("example").GetProperty("engine").GetString());
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("StartMigrationBody").GetProperty("properties").TryGetProperty("engine", out _));
        Assert.True(schemas.GetProperty("PreflightResponse").GetProperty("properties").TryGetProperty("clientEffects", out _));
        foreach (var (path, method) in new[] { ("/api/migrations", "get"), ("/api/migrations/{id}", "get"), ("/api/migrations/{id}/cancel", "post"), ("/api/migrations/preflight", "post") })
        {
            Assert.False(string.IsNullOrEmpty(paths.GetProperty(path).GetProperty(method).GetProperty("summary").GetString()), $"{method} {path} has no summary");
        }

        // Every /api/… path is also documented for a named cluster, with the name as a path parameter and an operation id of its own.
        Assert.False(string.IsNullOrEmpty(paths.GetProperty("/api/clusters").GetProperty("get").GetProperty("summary").GetString()));
        var unprefixed = paths.EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal) && !p.Name.StartsWith("/api/clusters", StringComparison.Ordinal)).ToList();
        Assert.True(unprefixed.Count > 20, $"only {unprefixed.Count} /api paths");
        foreach (var path in unprefixed)
        {
            var copy = paths.GetProperty("/api/clusters/{name}" + path.Name["/api".Length..]);
            Assert.Contains(copy.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "name" && p.GetProperty("in").GetString() == "path");
            Assert.Equal(path.Value.EnumerateObject().Select(o => o.Name).Where(n => n != "parameters").Order(), copy.EnumerateObject().Select(o => o.Name).Where(n => n != "parameters").Order());
        }

        var clusterStart = paths.GetProperty("/api/clusters/{name}/migrations").GetProperty("post");
        Assert.Equal(start.GetProperty("summary").GetString(), clusterStart.GetProperty("summary").GetString());
        Assert.Equal("StartMigrationOfCluster", clusterStart.GetProperty("operationId").GetString());
        var operationIds = paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject().Where(o => o.Value.ValueKind == JsonValueKind.Object && o.Value.TryGetProperty("operationId", out _)))
            .Select(o => o.Value.GetProperty("operationId").GetString()).ToList();
        Assert.Equal(operationIds.Count, operationIds.Distinct().Count());
    }

    [Fact]
    public async Task An_unknown_api_route_is_a_404_problem_details()
    {
        using var response = await Client.GetAsync(new Uri("/api/no-such-thing", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task The_home_page_lists_every_primary_with_its_node_card()
    {
        var html = await Client.GetStringAsync(new Uri("/", UriKind.Relative));
        var host = fixture.Factory.Services.GetRequiredService<LocalClusterHost>();

        Assert.Contains("Valkey Dashboard", html, StringComparison.Ordinal);
        Assert.Contains("cluster ok", html, StringComparison.Ordinal);
        foreach (var node in host.Nodes)
        {
            Assert.Contains(node.Endpoint, html, StringComparison.Ordinal);
        }

        Assert.Equal(3, html.Split("data-testid=\"node-card-").Length - 1);
    }
}
