using System.Net;
using System.Text;
using System.Text.Json;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>Limits on what a client may send: body size and the rate of requests that start, check or cancel migrations.</summary>
[Collection(SharedClusterCollection.Name)]
public class RequestLimitTests(SharedClusterFixture fixture)
{
    [Fact]
    public async Task Beyond_the_rate_limit_mutations_get_429_with_Retry_After_and_reads_still_work()
    {
        await using var factory = DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint])
            .With("Dashboard:RateLimit:MutationsPerMinute", "3");
        using var client = factory.CreateClient();
        var historyBefore = (await client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32();

        // Within the limit the requests are answered on their merits (here: refused as invalid).
        for (var i = 0; i < 3; i++)
        {
            using var allowed = await client.PostJsonAsync("/api/migrations/preflight", """{"slots": "0-99", "targetNodeId": "nope"}""");
            Assert.Equal(HttpStatusCode.BadRequest, allowed.StatusCode);
        }

        using var refused = await client.PostJsonAsync("/api/migrations", """{"slots": "0-99", "targetNodeId": "nope"}""");
        using var cancel = await client.PostAsync(new Uri("/api/migrations/some-id/cancel", UriKind.Relative), null);

        foreach (var response in new[] { refused, cancel })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
            Assert.Contains("at most 3 requests a minute", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 and <= 60 }, $"Retry-After: {response.Headers.RetryAfter}");
        }

        using var read = await client.GetAsync(new Uri("/api/cluster", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(historyBefore, (await client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_body_over_16_KiB_is_a_413_problem_with_or_without_a_length_and_starts_nothing()
    {
        await using var factory = DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint]);
        using var client = factory.CreateClient();
        var huge = $$"""{"slots": "{{string.Join(',', Enumerable.Range(0, 8_000))}}", "targetNodeId": "{{new string('a', 40)}}"}""";

        using var withLength = await client.PostJsonAsync("/api/migrations", huge);
        using var chunked = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri("/api/migrations/preflight", UriKind.Relative))
        {
            Content = new ChunkedJson(huge),
        });

        foreach (var response in new[] { withLength, chunked })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Contains("at most 16,384 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, (await client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32());
    }

    /// <summary>JSON sent without a Content-Length (chunked), as a streaming client would.</summary>
    private sealed class ChunkedJson : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedJson(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) => await stream.WriteAsync(_bytes);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
