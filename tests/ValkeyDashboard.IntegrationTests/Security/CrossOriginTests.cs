using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Security;

/// <summary>
/// No other web page can act for the operator: requests that a page on another origin (another port of this host
/// included, which is the same *site*) can make a browser send are refused, whether sign-in is on (the cookie would ride
/// along) or off (nothing else stands in the way); the API and the hub take bearer tokens, not the cookie; a change
/// without a body needs a header no simple request can carry; and every answer forbids framing. The browser's side of
/// the same is in the browser tests (<c>CrossSiteRequestTests</c>).
/// </summary>
[Collection(SharedClusterCollection.Name)]
public class CrossOriginTests(SharedClusterFixture fixture)
{
    private const string OperatorToken = "operator-token-0123456789abcdef";
    private const string OtherOrigin = "http://localhost:8123";

    private static readonly WebApplicationFactoryClientOptions Browser = new() { AllowAutoRedirect = false, HandleCookies = true };

    private DashboardAppFactory SignInOff() => DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint]);

    private DashboardAppFactory SignInOn() => SignInOff()
        .With("Dashboard:Auth:Mode", "BrowserToken")
        .With("Dashboard:Auth:Tokens:0:Name", "ci")
        .With("Dashboard:Auth:Tokens:0:Token", OperatorToken)
        .With("Dashboard:Auth:Tokens:0:Role", "operator");

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/api/cluster")]
    [InlineData("POST", "/_blazor/negotiate?negotiateVersion=1")]
    [InlineData("POST", "/hubs/cluster/negotiate?negotiateVersion=1")]
    [InlineData("POST", "/api/migrations/some-id/cancel")]
    public async Task With_sign_in_off_a_request_from_another_origin_is_refused(string method, string path)
    {
        await using var factory = SignInOff();
        using var client = factory.CreateClient(Browser);

        await MigrationsApiTests.AssertProblemAsync(await SendAsync(client, method, path, ("Origin", OtherOrigin)), HttpStatusCode.Forbidden, "comes from another origin");
    }

    [Theory]
    [InlineData("same-site")]
    [InlineData("cross-site")]
    public async Task A_request_a_page_of_another_site_or_port_made_is_refused_by_its_fetch_metadata(string site)
    {
        await using var factory = SignInOff();
        using var client = factory.CreateClient(Browser);

        await MigrationsApiTests.AssertProblemAsync(
            await SendAsync(client, "POST", "/api/migrations/some-id/cancel", ("Sec-Fetch-Site", site), ("Sec-Fetch-Mode", "no-cors")),
            HttpStatusCode.Forbidden, $"comes from another site (Sec-Fetch-Site: {site})");
        await MigrationsApiTests.AssertProblemAsync(
            await SendAsync(client, "GET", "/", ("Sec-Fetch-Site", site), ("Sec-Fetch-Mode", "navigate"), ("Sec-Fetch-Dest", "iframe")),
            HttpStatusCode.Forbidden, "comes from another site");
    }

    [Fact]
    public async Task A_link_followed_from_another_site_opens_the_page_and_the_dashboards_own_requests_pass()
    {
        await using var factory = SignInOff();
        using var client = factory.CreateClient(Browser);

        using var navigation = await SendAsync(client, "GET", "/", ("Sec-Fetch-Site", "cross-site"), ("Sec-Fetch-Mode", "navigate"), ("Sec-Fetch-Dest", "document"));
        using var own = await SendAsync(client, "GET", "/api/cluster", ("Origin", "http://localhost"), ("Sec-Fetch-Site", "same-origin"));

        Assert.Equal(HttpStatusCode.OK, navigation.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task With_sign_in_on_a_signed_in_browsers_page_and_circuit_refuse_another_origin()
    {
        await using var factory = SignInOn();
        using var client = factory.CreateClient(Browser);
        await SignInAsync(factory, client);
        using (var own = await SendAsync(client, "GET", "/", ("Origin", "http://localhost")))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        await MigrationsApiTests.AssertProblemAsync(await SendAsync(client, "GET", "/", ("Origin", OtherOrigin)), HttpStatusCode.Forbidden, "another origin");
        await MigrationsApiTests.AssertProblemAsync(
            await SendAsync(client, "POST", "/_blazor/negotiate?negotiateVersion=1", ("Origin", "http://127.0.0.1:9999")), HttpStatusCode.Forbidden, "another origin");
    }

    [Fact]
    public async Task With_sign_in_on_the_API_and_the_hub_take_bearer_tokens_but_not_the_sign_in_cookie()
    {
        await using var factory = SignInOn();
        using var client = factory.CreateClient(Browser);
        await SignInAsync(factory, client);
        var historyBefore = await HistoryTotalAsync(factory);

        await MigrationsApiTests.AssertProblemAsync(await client.GetAsync(new Uri("/api/cluster", UriKind.Relative)), HttpStatusCode.Unauthorized, "sign in first");
        await MigrationsApiTests.AssertProblemAsync(await client.PostJsonAsync("/api/migrations", """{"slots": "0-9", "targetNodeId": "x"}"""), HttpStatusCode.Unauthorized, "sign in first");
        using (var hub = await client.PostAsync(new Uri("/hubs/cluster/negotiate?negotiateVersion=1", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, hub.StatusCode);
        }

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        Assert.Equal("ok", (await client.GetJsonAsync("/api/cluster")).GetProperty("state").GetString());
        Assert.Equal(historyBefore, await HistoryTotalAsync(factory));
    }

    [Fact]
    public async Task A_request_with_a_valid_bearer_token_is_answered_from_any_origin()
    {
        await using var factory = SignInOn();
        using var client = factory.CreateClient(Browser);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);

        using var response = await SendAsync(client, "GET", "/api/cluster", ("Origin", OtherOrigin), ("Sec-Fetch-Site", "same-site"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/api/migrations/some-id/cancel")]
    [InlineData("POST", "/api/nodes/some-id/stop")]
    [InlineData("POST", "/api/plans/some-id/pause")]
    [InlineData("DELETE", "/api/nodes/some-id")]
    [InlineData("POST", "/hubs/cluster/negotiate?negotiateVersion=1")]
    public async Task With_sign_in_off_a_change_without_a_body_needs_a_header_no_simple_request_can_send(string method, string path)
    {
        await using var factory = SignInOff();
        using var bare = factory.CreateClient();
        bare.DefaultRequestHeaders.Remove(DashboardAppFactory.ScriptHeader);
        using var script = factory.CreateClient();
        var auditBefore = (await script.GetJsonAsync("/api/audit")).GetProperty("total").GetInt32();

        await MigrationsApiTests.AssertProblemAsync(await SendAsync(bare, method, path), HttpStatusCode.Forbidden, "must carry Authorization: Bearer <token> or X-Requested-With");
        // Refused before it reached the operation: not even a refusal was audited.
        Assert.Equal(auditBefore, (await script.GetJsonAsync("/api/audit")).GetProperty("total").GetInt32());

        using var withHeader = await SendAsync(script, method, path);
        Assert.NotEqual(HttpStatusCode.Forbidden, withHeader.StatusCode);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "a=b")]
    [InlineData("text/plain", "{}")]
    [InlineData("multipart/form-data; boundary=x", "--x--")]
    public async Task A_body_that_is_not_JSON_is_refused_on_every_API_endpoint_before_it_is_read(string contentType, string body)
    {
        await using var factory = SignInOff();
        using var client = factory.CreateClient();
        var auditBefore = (await client.GetJsonAsync("/api/audit")).GetProperty("total").GetInt32();

        foreach (var path in new[] { "/api/nodes/some-id/stop", "/api/migrations/some-id/cancel", "/api/nodes" })
        {
            using var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            await MigrationsApiTests.AssertProblemAsync(await client.PostAsync(new Uri(path, UriKind.Relative), content), HttpStatusCode.UnsupportedMediaType, "the body must be JSON");
        }

        Assert.Equal(auditBefore, (await client.GetJsonAsync("/api/audit")).GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/cluster")]
    [InlineData("/login")]
    [InlineData("/health")]
    public async Task Every_answer_forbids_framing_sniffing_and_referrers_to_other_sites(string path)
    {
        await using var factory = SignInOn();
        using var client = factory.CreateClient(Browser);

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Cross-Origin-Resource-Policy").Single());
    }

    private static async Task SignInAsync(DashboardAppFactory factory, HttpClient client)
    {
        using var login = await client.GetAsync(new Uri($"/login?t={factory.Services.GetRequiredService<BrowserSignIn>().Token}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
    }

    private static async Task<int> HistoryTotalAsync(DashboardAppFactory factory)
    {
        using var api = factory.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        return (await api.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32();
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return client.SendAsync(request);
    }
}
