using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Telemetry;

/// <summary>
/// Who may read <c>/metrics</c> (a viewer's token, or anyone when configured), that no password or token is in it,
/// <c>Dashboard:Metrics:TopSlots</c>, and a real Prometheus scraping it with a bearer token; <c>promtool check metrics</c>
/// on the exposition. A second dashboard (sign-in on, the cluster's password configured) watches the collection's cluster.
/// </summary>
[Collection(DashboardAppCollection.Name)]
public sealed class MetricsAccessTests(DashboardAppFixture fixture)
{
    private const string ViewerToken = "metrics-viewer-token-0123456789";
    private const string OperatorToken = "metrics-operator-token-0123456789";
    private const string Path = "/metrics";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private string Password => fixture.Factory.Services.GetRequiredService<IOptions<ValkeyOptions>>().Value.Password!;

    /// <summary>A dashboard with sign-in on, watching the fixture's cluster with its password.</summary>
    private async Task<DashboardAppFactory> SignInRequiredAsync()
    {
        var seed = (await fixture.Client.PrimariesAsync())[0].Endpoint;
        return DashboardAppFactory.External([seed])
            .With("Valkey:Password", Password)
            .With("Dashboard:Auth:Mode", "BrowserToken")
            .With("Dashboard:Auth:Tokens:0:Name", "prometheus")
            .With("Dashboard:Auth:Tokens:0:Token", ViewerToken)
            .With("Dashboard:Auth:Tokens:0:Role", "viewer")
            .With("Dashboard:Auth:Tokens:1:Name", "ci")
            .With("Dashboard:Auth:Tokens:1:Token", OperatorToken)
            .With("Dashboard:Auth:Tokens:1:Role", "operator");
    }

    [Fact]
    public async Task Without_a_token_a_scrape_is_a_401_problem_and_a_viewers_or_operators_token_reads_it_without_any_secret()
    {
        await using var factory = await SignInRequiredAsync();
        using var anonymous = factory.CreateClient();
        using var viewer = Bearer(factory.CreateClient(), ViewerToken);
        using var @operator = Bearer(factory.CreateClient(), OperatorToken);

        await MigrationsApiTests.AssertProblemAsync(await anonymous.GetAsync(new Uri(Path, UriKind.Relative)), HttpStatusCode.Unauthorized, "sign in first");
        await MigrationsApiTests.AssertProblemAsync(await Bearer(factory.CreateClient(), "not-a-token-of-this-dashboard").GetAsync(new Uri(Path, UriKind.Relative)),
            HttpStatusCode.Unauthorized, "the bearer token is not valid");
        foreach (var client in (HttpClient[])[viewer, @operator])
        {
            var text = await WaitForSeriesAsync(client);
            Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
            Assert.DoesNotContain(ViewerToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(OperatorToken, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task With_AllowAnonymous_a_scrape_needs_no_token_and_the_API_still_does()
    {
        await using var factory = (await SignInRequiredAsync()).With("Dashboard:Metrics:AllowAnonymous", "true");
        using var anonymous = factory.CreateClient();

        var text = await WaitForSeriesAsync(anonymous);

        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        await MigrationsApiTests.AssertProblemAsync(await anonymous.GetAsync(new Uri("/api/cluster", UriKind.Relative)), HttpStatusCode.Unauthorized, "sign in first");
    }

    [Fact]
    public async Task TopSlots_bounds_the_per_slot_series_to_the_largest_slots()
    {
        await using var factory = (await SignInRequiredAsync()).With("Dashboard:Metrics:TopSlots", "3");
        using var viewer = Bearer(factory.CreateClient(), ViewerToken);
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();

        await fixture.RestoringAsync(
            async () =>
            {
                // Slots 400-405 with 300 + i keys: the three largest are 403-405.
                for (var i = 0; i < 6; i++)
                {
                    await SlotKeys.FillAsync(valkey, SlotRangeSet.Parse($"{400 + i}"), keysPerSlot: 300 + i, prefix: $"metrics-bound{i}-");
                }

                IReadOnlyList<PrometheusSample> slotKeys = [];
                await Wait.UntilAsync(
                    async cancellation =>
                    {
                        slotKeys = [.. PrometheusExposition.Parse(await viewer.GetStringAsync(new Uri(Path, UriKind.Relative), cancellation)).Named("valkey_dashboard_slot_keys").Where(s => s["cluster"] == ClusterOf(factory))];
                        return slotKeys.Any(s => s["slot"] == "405" && s.Value == 305);
                    },
                    Deadline, "slot 405's keys in /metrics", TimeSpan.FromMilliseconds(200));

                Assert.True(slotKeys.Select(s => s["slot"]).Order().SequenceEqual(["403", "404", "405"]), string.Join(", ", slotKeys.Select(s => $"{s["slot"]}={s.Value}")));
            },
            () => MetricsEndpointTests.DeleteKeysAsync(valkey, "metrics-bound"));
    }

    [Fact]
    public async Task A_real_Prometheus_scrapes_it_with_a_viewers_token_and_answers_the_clusters_series()
    {
        await using var factory = (await SignInRequiredAsync()).With("Urls", "http://127.0.0.1:0");
        factory.UseKestrel();
        factory.StartServer();
        var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        var primary = (await fixture.Client.PrimariesAsync())[0];
        var keys = (await fixture.Client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray()
            .Single(n => n.GetProperty("id").GetString() == primary.Id).GetProperty("keys").GetInt64();

        await using var prometheus = await PrometheusServer.StartAsync(address, Path, ViewerToken);
        var target = await prometheus.WaitForTargetUpAsync(Deadline);

        Assert.Equal(string.Empty, target.GetProperty("lastError").GetString());
        var cluster = ClusterOf(factory);
        var assigned = Assert.Single(await prometheus.QueryAsync($"valkey_dashboard_cluster_slots_assigned{{cluster=\"{cluster}\"}}"));
        Assert.Equal(SlotRange.SlotCount, assigned.Value);
        Assert.Equal("dashboard", assigned.Labels["job"]);
        var nodeKeys = Assert.Single(await prometheus.QueryAsync($"valkey_dashboard_node_keys{{cluster=\"{cluster}\",node_id=\"{primary.Id}\"}}"));
        Assert.Equal((primary.Endpoint, "primary", (double)keys), (nodeKeys.Labels["node"], nodeKeys.Labels["role"], nodeKeys.Value));
        Assert.Equal(6, (await prometheus.QueryAsync($"valkey_dashboard_node_up{{cluster=\"{cluster}\"}} == 1")).Count);
    }

    [Fact]
    public async Task Promtool_check_metrics_passes_on_the_exposition()
    {
        await using var factory = await SignInRequiredAsync();
        using var viewer = Bearer(factory.CreateClient(), ViewerToken);
        var text = await WaitForSeriesAsync(viewer);

        var (exitCode, output) = await PrometheusServer.CheckMetricsAsync(text);

        Assert.True(exitCode == 0, $"promtool check metrics exited {exitCode}: {output}");
        Assert.Equal(string.Empty, output.Trim());
    }

    /// <summary>
    /// The <c>cluster</c> label of <paramref name="factory"/>'s series. The collection's own dashboard runs in this
    /// process too, and OpenTelemetry listens to meters by name process-wide, so a scrape here carries both dashboards'
    /// series (one dashboard per process, as it is run, carries only its own).
    /// </summary>
    private static string ClusterOf(DashboardAppFactory factory) => factory.Services.GetRequiredService<IOptions<ValkeyOptions>>().Value.DisplayName;

    /// <summary>The exposition once it carries the cluster (the dashboard's first poll is done).</summary>
    private static async Task<string> WaitForSeriesAsync(HttpClient client)
    {
        var text = string.Empty;
        await Wait.UntilAsync(
            async cancellation =>
            {
                using var response = await client.GetAsync(new Uri(Path, UriKind.Relative), cancellation);
                text = await response.Content.ReadAsStringAsync(cancellation);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
                return text.Contains("valkey_dashboard_cluster_slots_assigned{", StringComparison.Ordinal);
            },
            Deadline, "the cluster's series in /metrics", TimeSpan.FromMilliseconds(100));
        return text;
    }

    private static HttpClient Bearer(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
