using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>
/// Sign-in: a browser link printed at start-up (or the same link with an API token), bearer tokens with roles for
/// scripts; 401 and 403 as ProblemDetails; no token in any log file; no sign-in only on loopback.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public class AuthTests(SharedClusterFixture fixture)
{
    private const string ViewerToken = "viewer-token-0123456789abcdef";
    private const string OperatorToken = "operator-token-0123456789abcdef";

    private static readonly WebApplicationFactoryClientOptions Browser = new() { AllowAutoRedirect = false, HandleCookies = true };

    private DashboardAppFactory SignInRequired() =>
        DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint])
            .With("Dashboard:Auth:Mode", "BrowserToken")
            .With("Dashboard:Auth:Tokens:0:Name", "dashboards-team")
            .With("Dashboard:Auth:Tokens:0:Token", ViewerToken)
            .With("Dashboard:Auth:Tokens:0:Role", "viewer")
            .With("Dashboard:Auth:Tokens:1:Name", "ci")
            .With("Dashboard:Auth:Tokens:1:Token", OperatorToken)
            .With("Dashboard:Auth:Tokens:1:Role", "operator");

    [Theory]
    [InlineData("GET", "/api/cluster")]
    [InlineData("POST", "/api/migrations")]
    public async Task Without_sign_in_the_API_answers_a_401_problem(string method, string path)
    {
        await using var factory = SignInRequired();
        using var client = factory.CreateClient(Browser);

        await MigrationsApiTests.AssertProblemAsync(await SendAsync(client, method, path), HttpStatusCode.Unauthorized, "sign in first");
    }

    [Fact]
    public async Task Without_sign_in_the_hub_answers_401()
    {
        await using var factory = SignInRequired();
        using var client = factory.CreateClient(Browser);

        using var hub = await client.PostAsync(new Uri("/hubs/cluster/negotiate?negotiateVersion=1", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Unauthorized, hub.StatusCode);
    }

    [Fact]
    public async Task Without_sign_in_a_page_goes_to_the_sign_in_page()
    {
        await using var factory = SignInRequired();
        using var client = factory.CreateClient(Browser);

        using var page = await client.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/login", page.Headers.Location?.OriginalString.Split("?")[0]);
    }

    [Fact]
    public async Task A_wrong_sign_in_link_is_a_401_page_saying_how_to_sign_in_and_is_audited_as_refused()
    {
        await using var factory = SignInRequired();
        using var client = factory.CreateClient(Browser);

        using var login = await client.GetAsync(new Uri("/login?t=wrong", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Contains("sign-in link the dashboard printed", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(SignInCookie(login));
        var entry = (await Bearer(factory.CreateClient(), OperatorToken).GetJsonAsync("/api/audit")).GetProperty("items")[0];
        Assert.Equal("sign-in refused", $"{entry.GetProperty("action").GetString()} {entry.GetProperty("outcome").GetString()}");
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/openapi/v1.json")]
    public async Task Health_and_the_OpenAPI_document_stay_open_without_sign_in(string path)
    {
        await using var factory = SignInRequired();
        using var client = factory.CreateClient(Browser);

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_bearer_token_is_a_401_problem()
    {
        await using var factory = SignInRequired();
        using var client = Bearer(factory.CreateClient(), "not-a-token-at-all-xyz");

        await MigrationsApiTests.AssertProblemAsync(await client.GetAsync(new Uri("/api/cluster", UriKind.Relative)), HttpStatusCode.Unauthorized, "not valid");
    }

    [Fact]
    public async Task A_viewer_reads_the_cluster_and_may_connect_to_the_hub()
    {
        await using var factory = SignInRequired();
        using var viewer = Bearer(factory.CreateClient(), ViewerToken);

        Assert.Equal("ok", (await viewer.GetJsonAsync("/api/cluster")).GetProperty("state").GetString());
        using var negotiate = await viewer.PostAsync(new Uri("/hubs/cluster/negotiate?negotiateVersion=1", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/api/migrations", "dashboards-team is a viewer; only an operator")]
    [InlineData("POST", "/api/migrations/x/cancel", "only an operator")]
    [InlineData("GET", "/api/audit", "only an operator")]
    [InlineData("POST", "/api/nodes/x/stop", "only an operator")]
    [InlineData("POST", "/api/doctor/fixes/x?dryRun=true", "only an operator")]
    public async Task A_viewer_asking_for_a_change_or_the_audit_log_gets_a_403_problem(string method, string path, string detail)
    {
        await using var factory = SignInRequired();
        using var viewer = Bearer(factory.CreateClient(), ViewerToken);

        await MigrationsApiTests.AssertProblemAsync(await SendAsync(viewer, method, path), HttpStatusCode.Forbidden, detail);
    }

    [Fact]
    public async Task An_operator_may_manage_nodes_only_of_an_embedded_cluster()
    {
        await using var factory = SignInRequired();
        using var @operator = Bearer(factory.CreateClient(), OperatorToken);

        await MigrationsApiTests.AssertProblemAsync(await @operator.PostAsync(new Uri("/api/nodes/x/stop", UriKind.Relative), null), HttpStatusCode.Conflict, "only of its embedded cluster");
    }

    [Fact]
    public async Task An_operators_request_is_judged_on_its_merits_and_audited_under_the_tokens_name()
    {
        await using var factory = SignInRequired();
        using var @operator = Bearer(factory.CreateClient(), OperatorToken);

        await MigrationsApiTests.AssertProblemAsync(await @operator.PostJsonAsync("/api/migrations", """{"slots": "9-3", "targetNodeId": "x"}"""), HttpStatusCode.BadRequest, "ends before it starts");

        var newest = (await @operator.GetJsonAsync("/api/audit")).GetProperty("items")[0];
        Assert.Equal("ci", newest.GetProperty("actor").GetString());
        Assert.Equal("refused", newest.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task The_browser_link_signs_in_with_a_strict_http_only_cookie()
    {
        await using var factory = SignInRequired();
        using var client = factory.CreateClient(Browser);

        using var login = await client.GetAsync(new Uri($"/login?t={factory.Services.GetRequiredService<BrowserSignIn>().Token}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location?.OriginalString);
        var cookie = SignInCookie(login);
        Assert.NotNull(cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_browser_signed_in_with_the_link_is_an_operator_on_the_page_and_is_audited()
    {
        await using var factory = SignInRequired();
        using var client = factory.CreateClient(Browser);

        using (await client.GetAsync(new Uri($"/login?t={factory.Services.GetRequiredService<BrowserSignIn>().Token}", UriKind.Relative)))
        {
        }

        var page = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("data-testid=\"node-card-", page, StringComparison.Ordinal);
        // An operator's page: the external cluster's "Add node…".
        Assert.Contains("data-testid=\"add-node\"", page, StringComparison.Ordinal);
        var signIn = (await Bearer(factory.CreateClient(), OperatorToken).GetJsonAsync("/api/audit")).GetProperty("items").EnumerateArray().First(e => e.GetProperty("action").GetString() == "sign-in");
        Assert.Equal("browser accepted operator", $"{signIn.GetProperty("actor").GetString()} {signIn.GetProperty("outcome").GetString()} {signIn.GetProperty("detail").GetString()}");
    }

    [Fact]
    public async Task An_API_token_in_the_sign_in_link_signs_the_browser_in_with_that_tokens_name_and_role()
    {
        await using var factory = SignInRequired();
        using var client = factory.CreateClient(Browser);

        using var login = await client.GetAsync(new Uri($"/login?t={ViewerToken}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.NotNull(SignInCookie(login));
        var page = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("data-testid=\"node-card-", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"add-node\"", page, StringComparison.Ordinal);
        var signIn = (await Bearer(factory.CreateClient(), OperatorToken).GetJsonAsync("/api/audit")).GetProperty("items").EnumerateArray().First(e => e.GetProperty("action").GetString() == "sign-in");
        Assert.Equal("dashboards-team accepted viewer", $"{signIn.GetProperty("actor").GetString()} {signIn.GetProperty("outcome").GetString()} {signIn.GetProperty("detail").GetString()}");
    }

    [Fact]
    public async Task No_sign_in_token_or_API_token_reaches_a_log_file()
    {
        var factory = SignInRequired();
        factory.KeepData = true;
        try
        {
            using var client = factory.CreateClient(Browser);
            var token = factory.Services.GetRequiredService<BrowserSignIn>().Token;
            using (await client.GetAsync(new Uri($"/login?t={token}", UriKind.Relative)))
            {
            }

            using (await factory.CreateClient(Browser).GetAsync(new Uri($"/login?t={ViewerToken}", UriKind.Relative)))
            {
            }

            await Bearer(factory.CreateClient(), OperatorToken).GetJsonAsync("/api/cluster");
            using (await Bearer(factory.CreateClient(), ViewerToken + "x").GetAsync(new Uri("/api/cluster", UriKind.Relative)))
            {
            }

            await factory.DisposeAsync();
            var logs = string.Concat(Directory.GetFiles(Path.Combine(factory.DataDirectory, "logs")).Select(File.ReadAllText));
            Assert.Contains("signed in as browser", logs, StringComparison.Ordinal);
            Assert.Contains("signed in as dashboards-team", logs, StringComparison.Ordinal);
            foreach (var secret in new[] { token, ViewerToken, OperatorToken })
            {
                Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            }
        }
        finally
        {
            await factory.DisposeAsync();
            TestDirectories.Delete(factory.DataDirectory);
        }
    }

    [Fact]
    public async Task Turning_sign_in_off_is_refused_at_start_up_when_the_dashboard_listens_beyond_loopback()
    {
        var factory = DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint]).With("Dashboard:Auth:Mode", "None");
        factory.KeepData = true;
        // Port 0: Kestrel binds a free port itself; the refusal names the one it got.
        factory.UseKestrel(options => options.Listen(IPAddress.Any, 0));
        try
        {
            // The host refuses to finish starting (WebApplicationFactory then reports its own disposal, not the reason).
            Assert.ThrowsAny<Exception>(factory.StartServer);

            await factory.DisposeAsync();
            var logs = string.Concat(Directory.GetFiles(Path.Combine(factory.DataDirectory, "logs")).Select(File.ReadAllText));
            var refusal = System.Text.RegularExpressions.Regex.Match(logs, @"Dashboard:Auth:Mode is None, but the dashboard listens on http://0\.0\.0\.0:(\d+), which is not loopback");
            Assert.True(refusal.Success, $"no refusal naming the address in the log:\n{logs}");
            var port = int.Parse(refusal.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.NotEqual(0, port);
            using var probe = new System.Net.Sockets.TcpClient();
            await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
        }
        finally
        {
            await factory.DisposeAsync();
            TestDirectories.Delete(factory.DataDirectory);
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path) =>
        method == "GET" ? client.GetAsync(new Uri(path, UriKind.Relative)) : client.PostJsonAsync(path, "{}");

    private static string? SignInCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.SingleOrDefault(c => c.StartsWith(".ValkeyDashboard.SignIn=", StringComparison.Ordinal)) : null;

    private static HttpClient Bearer(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
