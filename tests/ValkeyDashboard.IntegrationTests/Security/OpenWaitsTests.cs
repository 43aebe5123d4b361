using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Security;

/// <summary>
/// A request that waits for a migration to finish (<c>?wait=N</c>) holds a subscription for up to minutes, so one
/// client may hold only <c>Dashboard:RateLimit:WaitsPerClient</c> (8) of them; one more is a 429 problem, and the held
/// ones still get their answer.
/// </summary>
[Collection(DashboardAppCollection.Name)]
public class OpenWaitsTests(DashboardAppFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Beyond_the_waits_one_client_may_hold_another_is_a_429_problem_and_the_held_ones_are_answered()
    {
        var primaries = await fixture.Client.PrimariesAsync();
        var (source, target) = (primaries[0], primaries[1]);
        var start = MigrationsApiTests.LargestRangeStart(source.Slots);
        await fixture.RestoringAsync(async () =>
        {
            var valkey = await fixture.Factory.ConnectToClusterAsync();
            await using (valkey)
            {
                var hold = await MigrationHold.OnAsync(valkey.GetServer(source.Endpoint));
                Task<HttpResponseMessage>[] held;
                await using (hold)
                {
                    using var started = await fixture.Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{start}}-{{start + 9}}", "targetNodeId": "{{target.Id}}"}""");
                    Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
                    var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
                    var waits = fixture.Factory.Services.GetRequiredService<OpenWaits>();

                    held = [.. Enumerable.Range(0, 8).Select(_ => fixture.Client.GetAsync(new Uri($"/api/migrations/{id}?wait=60", UriKind.Relative)))];
                    await Wait.UntilAsync(_ => Task.FromResult(waits.OpenFor("local") == 8), Deadline, "eight open waits", TimeSpan.FromMilliseconds(20));

                    await MigrationsApiTests.AssertProblemAsync(await fixture.Client.GetAsync(new Uri($"/api/migrations/{id}?wait=60", UriKind.Relative)),
                        HttpStatusCode.TooManyRequests, "at most Dashboard:RateLimit:WaitsPerClient (8)");
                    Assert.All(held, h => Assert.False(h.IsCompleted));
                }

                foreach (var answer in await Task.WhenAll(held).WaitAsync(Deadline))
                {
                    using (answer)
                    {
                        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                        Assert.Equal("succeeded", JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("state").GetString());
                    }
                }
            }
        });
    }
}
