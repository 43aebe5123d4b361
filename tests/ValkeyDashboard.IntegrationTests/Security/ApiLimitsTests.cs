using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Security;

/// <summary>
/// What the API promises about what it takes and what it tells: no body over 16 KiB anywhere (the endpoints that read
/// none included), the health probe's detail only for the signed in, and no more nodes than <c>Valkey:MaxNodes</c>.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public class ApiLimitsTests(SharedClusterFixture fixture)
{
    private const string ViewerToken = "viewer-token-0123456789abcdef";

    private static readonly string Huge = $$"""{"role": "primary", "primaryId": "{{new string('a', 20_000)}}"}""";

    [Theory]
    [InlineData("/api/nodes")]
    [InlineData("/api/nodes/some-id/stop")]
    [InlineData("/api/migrations/some-id/cancel")]
    [InlineData("/api/plans/some-id/pause")]
    public async Task A_body_over_16_KiB_is_a_413_problem_on_every_endpoint_with_or_without_a_length(string path)
    {
        await using var factory = DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint]);
        using var client = factory.CreateClient();
        var auditBefore = (await client.GetJsonAsync("/api/audit")).GetProperty("total").GetInt32();

        await MigrationsApiTests.AssertProblemAsync(await client.PostJsonAsync(path, Huge), HttpStatusCode.RequestEntityTooLarge, "at most 16,384 bytes");
        using var chunked = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new ChunkedJson(Huge) });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.Equal(auditBefore, (await client.GetJsonAsync("/api/audit")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Health_tells_anyone_its_status_but_only_the_signed_in_the_clusters_detail()
    {
        // Nothing listens on the only endpoint: the reason names it, which is nobody's business who has not signed in.
        var dead = $"127.0.0.1:{TestPorts.AllocateBlock(1)}";
        await using var factory = DashboardAppFactory.External([dead])
            .With("Dashboard:Auth:Mode", "BrowserToken")
            .With("Dashboard:Auth:Tokens:0:Name", "probe-reader")
            .With("Dashboard:Auth:Tokens:0:Token", ViewerToken)
            .With("Dashboard:Auth:Tokens:0:Role", "viewer");
        using var anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var viewer = factory.CreateClient();
        viewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ViewerToken);
        JsonElement signedIn = default;
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (signedIn = await viewer.GetJsonAsync("/health")).GetProperty("description").GetString()!.Contains("unreachable", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the health check to see the cluster unreachable", TimeSpan.FromMilliseconds(100));

        using var response = await anonymous.GetAsync(new Uri("/health", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"Degraded"}""", text);
        Assert.Contains(dead, signedIn.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_a_node_beyond_Valkey_MaxNodes_is_a_409_problem_and_audited_as_refused()
    {
        var nodes = fixture.Cluster.Host.Nodes.Length;
        await using var factory = DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint])
            .With("Valkey:MaxNodes", nodes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = factory.CreateClient();
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (await client.GetJsonAsync("/api/cluster")).GetProperty("nodes").GetArrayLength() == nodes,
            TimeSpan.FromSeconds(60), "the dashboard to see every node", TimeSpan.FromMilliseconds(100));

        await MigrationsApiTests.AssertProblemAsync(await client.PostJsonAsync("/api/nodes", """{"endpoint": "127.0.0.1:1", "role": "primary"}"""),
            HttpStatusCode.Conflict, $"the cluster has {nodes} nodes, at most Valkey:MaxNodes ({nodes})");

        var entry = (await client.GetJsonAsync("/api/audit")).GetProperty("items")[0];
        Assert.Equal("node.add refused", $"{entry.GetProperty("action").GetString()} {entry.GetProperty("outcome").GetString()}");
        Assert.Equal(nodes, (await client.GetJsonAsync("/api/cluster")).GetProperty("nodes").GetArrayLength());
    }

    /// <summary>JSON sent without a Content-Length (chunked), as a streaming client would.</summary>
    private sealed class ChunkedJson : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedJson(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) => await stream.WriteAsync(_bytes);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
