using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>
/// Sign-in: a browser link printed at start-up, bearer tokens with roles for scripts; 401 and 403 as ProblemDetails;
/// no token in any log file; no sign-in only on loopback.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public class AuthTests(SharedClusterFixture fixture)
{
    private const string ViewerToken = "viewer-token-0123456789abcdef";
    private const string OperatorToken = "operator-token-0123456789abcdef";

    private DashboardAppFactory SignInRequired() =>
        DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint])
            .With("Dashboard:Auth:Mode", "BrowserToken")
            .With("Dashboard:Auth:Tokens:0:Name", "dashboards-team")
            .With("Dashboard:Auth:Tokens:0:Token", ViewerToken)
            .With("Dashboard:Auth:Tokens:0:Role", "viewer")
            .With("Dashboard:Auth:Tokens:1:Name", "ci")
            .With("Dashboard:Auth:Tokens:1:Token", OperatorToken)
            .With("Dashboard:Auth:Tokens:1:Role", "operator");

    [Fact]
    public async Task Without_sign_in_the_API_and_hub_answer_401_problems_pages_go_to_sign_in_and_health_stays_open()
    {
        await using var factory = SignInRequired();
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        await MigrationsApiTests.AssertProblemAsync(await client.GetAsync(new Uri("/api/cluster", UriKind.Relative)), HttpStatusCode.Unauthorized, "sign in first");
        await MigrationsApiTests.AssertProblemAsync(await client.PostJsonAsync("/api/migrations", "{}"), HttpStatusCode.Unauthorized, "sign in first");
        using (var hub = await client.PostAsync(new Uri("/hubs/cluster/negotiate?negotiateVersion=1", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, hub.StatusCode);
        }

        using (var page = await client.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.Equal("/login", page.Headers.Location?.OriginalString.Split("?")[0]);
        }

        using (var login = await client.GetAsync(new Uri("/login?t=wrong", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
            Assert.Contains("sign-in link the dashboard printed", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var openApi = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        await MigrationsApiTests.AssertProblemAsync(await Bearer(client, "not-a-token-at-all-xyz").GetAsync(new Uri("/api/cluster", UriKind.Relative)), HttpStatusCode.Unauthorized, "not valid");
    }

    [Fact]
    public async Task A_viewer_reads_everything_but_gets_403_problems_for_changes_and_the_audit_log_an_operator_gets_through()
    {
        await using var factory = SignInRequired();
        using var viewer = Bearer(factory.CreateClient(), ViewerToken);
        using var @operator = Bearer(factory.CreateClient(), OperatorToken);

        Assert.Equal("ok", (await viewer.GetJsonAsync("/api/cluster")).GetProperty("state").GetString());
        using (var negotiate = await viewer.PostAsync(new Uri("/hubs/cluster/negotiate?negotiateVersion=1", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
        }

        await MigrationsApiTests.AssertProblemAsync(await viewer.PostJsonAsync("/api/migrations", """{"slots": "9-3", "targetNodeId": "x"}"""), HttpStatusCode.Forbidden, "dashboards-team is a viewer");
        await MigrationsApiTests.AssertProblemAsync(await viewer.PostAsync(new Uri("/api/migrations/x/cancel", UriKind.Relative), null), HttpStatusCode.Forbidden, "only an operator");
        await MigrationsApiTests.AssertProblemAsync(await viewer.GetAsync(new Uri("/api/audit", UriKind.Relative)), HttpStatusCode.Forbidden, "only an operator");
        await MigrationsApiTests.AssertProblemAsync(await viewer.PostAsync(new Uri("/api/nodes/x/stop", UriKind.Relative), null), HttpStatusCode.Forbidden, "only an operator");
        // An operator may manage nodes only of an embedded cluster; this dashboard manages an existing one.
        await MigrationsApiTests.AssertProblemAsync(await @operator.PostAsync(new Uri("/api/nodes/x/stop", UriKind.Relative), null), HttpStatusCode.Conflict, "only of its embedded cluster");

        // The operator's request is judged on its merits, and recorded under the token's name.
        await MigrationsApiTests.AssertProblemAsync(await @operator.PostJsonAsync("/api/migrations", """{"slots": "9-3", "targetNodeId": "x"}"""), HttpStatusCode.BadRequest, "ends before it starts");
        var audit = await @operator.GetJsonAsync("/api/audit");
        var newest = audit.GetProperty("items")[0];
        Assert.Equal("ci", newest.GetProperty("actor").GetString());
        Assert.Equal("refused", newest.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task The_browser_link_signs_in_with_a_strict_http_only_cookie_that_opens_pages_and_API_and_no_token_reaches_a_log()
    {
        var factory = SignInRequired();
        factory.KeepData = true;
        string logs;
        try
        {
            using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
            var token = factory.Services.GetRequiredService<BrowserSignIn>().Token;

            using (var login = await client.GetAsync(new Uri($"/login?t={token}", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
                var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
                Assert.StartsWith(".ValkeyDashboard.SignIn=", cookie, StringComparison.Ordinal);
                Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
            }

            using var auditor = Bearer(factory.CreateClient(), OperatorToken);
            var signIn = (await auditor.GetJsonAsync("/api/audit")).GetProperty("items")[0];
            Assert.Equal("sign-in", signIn.GetProperty("action").GetString());
            Assert.Equal("accepted", signIn.GetProperty("outcome").GetString());

            var page = await client.GetStringAsync(new Uri("/", UriKind.Relative));
            Assert.Contains("data-testid=\"node-card-", page, StringComparison.Ordinal);
            Assert.Equal("ok", (await client.GetJsonAsync("/api/cluster")).GetProperty("state").GetString());
            using (var refused = await client.PostJsonAsync("/api/migrations", """{"slots": "9-3", "targetNodeId": "x"}"""))
            {
                Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            }

            using var withTokens = Bearer(factory.CreateClient(), OperatorToken);
            await withTokens.GetJsonAsync("/api/cluster");
            using var wrong = await Bearer(factory.CreateClient(), ViewerToken + "x").GetAsync(new Uri("/api/cluster", UriKind.Relative));

            await factory.DisposeAsync();
            logs = string.Concat(Directory.GetFiles(Path.Combine(factory.DataDirectory, "logs")).Select(File.ReadAllText));
            Assert.Contains("signed in", logs, StringComparison.Ordinal);
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

    private static HttpClient Bearer(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
