using System.Net;
using System.Text;
using System.Text.Json;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>
/// Thousands of generated malformed requests to every API endpoint (migrations, nodes, audit, cluster, slots, doctor fixes): each gets a
/// 4xx ProblemDetails, none a 5xx, and nothing in the cluster (slots, nodes) or the history changes.
/// </summary>
[Collection(DashboardAppCollection.Name)]
public class GeneratedBadInputTests(DashboardAppFixture fixture)
{
    private const int Requests = 2_000;

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Generated_malformed_requests_get_only_4xx_problems_and_change_nothing()
    {
        var cluster = await Client.GetJsonAsync("/api/cluster");
        var primaries = await Client.PrimariesAsync();
        var replica = cluster.GetProperty("nodes").EnumerateArray().First(n => n.GetProperty("role").GetString() == "replica").GetProperty("id").GetString()!;
        var historyBefore = (await Client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32();
        var nodesBefore = NodeIds(cluster);
        var generator = new BadRequestGenerator(new Random(20261125), primaries.Select(p => p.Id).ToList(), replica);
        var requests = Enumerable.Range(0, Requests).Select(_ => generator.Next()).ToList();

        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();
        foreach (var chunk in requests.Chunk(8))
        {
            foreach (var (request, status, body, contentType) in await Task.WhenAll(chunk.Select(SendAsync)))
            {
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status is < 400 or >= 500)
                {
                    failures.Add($"{request} answered {status}: {Clip(body)}");
                }
                else if (contentType != "application/problem+json" || !IsProblem(body, status))
                {
                    failures.Add($"{request} answered {status} without a ProblemDetails ({contentType}): {Clip(body)}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {Requests} requests were not answered with a 4xx problem:\n{string.Join('\n', failures.Take(20))}");
        Assert.True(statuses.Keys.Count >= 4, $"the generator should reach several refusals, got {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.Equal(primaries, await Client.PrimariesAsync());
        Assert.Equal(nodesBefore, NodeIds(await Client.GetJsonAsync("/api/cluster")));
        Assert.Equal(historyBefore, (await Client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32());
    }

    private static List<string> NodeIds(JsonElement cluster) =>
        [.. cluster.GetProperty("nodes").EnumerateArray().Select(n => $"{n.GetProperty("id").GetString()} {n.GetProperty("health").GetString()}").Order()];

    private async Task<(string Request, int Status, string Body, string? ContentType)> SendAsync(GeneratedRequest generated)
    {
        using var request = new HttpRequestMessage(generated.Method, new Uri(generated.Path, UriKind.Relative));
        if (generated.Body is not null)
        {
            request.Content = new StringContent(generated.Body, Encoding.UTF8);
            request.Content.Headers.ContentType = generated.ContentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(generated.ContentType);
        }

        using var response = await Client.SendAsync(request);
        return (generated.ToString(), (int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    private static bool IsProblem(string body, int status)
    {
        try
        {
            var problem = JsonDocument.Parse(body).RootElement;
            return problem.TryGetProperty("status", out var s) && s.GetInt32() == status
                && problem.TryGetProperty("title", out var title) && !string.IsNullOrWhiteSpace(title.GetString())
                && problem.TryGetProperty("detail", out var detail) && !string.IsNullOrWhiteSpace(detail.GetString());
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
