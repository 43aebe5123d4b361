using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Security;

/// <summary>
/// Anyone who can reach the port may try to sign in, so a flood of tries must blind nothing: tries are rate-limited per
/// address before anything is checked, logged or audited; the refused ones of one address in one minute are one audit
/// row with a count and one warning; opening the page is not a try; and a full log file continues in the next one.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public class SignInFloodTests(SharedClusterFixture fixture)
{
    private const string OperatorToken = "operator-token-0123456789abcdef";

    private static readonly WebApplicationFactoryClientOptions Browser = new() { AllowAutoRedirect = false, HandleCookies = true };

    private DashboardAppFactory SignInRequired() =>
        DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint])
            .With("Dashboard:Auth:Mode", "BrowserToken")
            .With("Dashboard:Auth:Tokens:0:Name", "ci")
            .With("Dashboard:Auth:Tokens:0:Token", OperatorToken)
            .With("Dashboard:Auth:Tokens:0:Role", "operator");

    [Fact]
    public async Task Opening_the_dashboard_without_signing_in_records_no_refused_sign_in()
    {
        await using var factory = SignInRequired();
        using var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true, HandleCookies = true });

        // A first visit: the page sends the browser to the sign-in page; browsers also ask for /favicon.ico.
        using var first = await browser.GetAsync(new Uri("/", UriKind.Relative));
        using var favicon = await browser.GetAsync(new Uri("/favicon.ico", UriKind.Relative));
        using var again = await browser.GetAsync(new Uri("/login", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal("/login", first.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Sign in to Valkey Dashboard", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await SignInEntriesAsync(factory));
    }

    [Fact]
    public async Task Tries_beyond_the_rate_limit_get_429_and_one_minutes_refusals_are_one_audit_row_with_a_count_and_one_warning()
    {
        var factory = SignInRequired().With("Dashboard:RateLimit:SignInAttemptsPerMinute", "5");
        factory.KeepData = true;
        try
        {
            using var attacker = factory.CreateClient(Browser);
            var answers = new List<HttpResponseMessage>();
            for (var i = 0; i < 12; i++)
            {
                answers.Add(await attacker.GetAsync(new Uri($"/login?t=guess-{i}", UriKind.Relative)));
            }

            Assert.All(answers.Take(5), a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
            Assert.All(answers.Skip(5), a =>
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, a.StatusCode);
                Assert.True(a.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 and <= 60 }, $"Retry-After: {a.Headers.RetryAfter}");
            });
            Assert.Contains("at most 5 sign-in attempts a minute", await answers[^1].Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var entry = Assert.Single(await SignInEntriesAsync(factory));
            Assert.Equal("refused", entry.GetProperty("outcome").GetString());
            Assert.Contains("5 refused sign-ins from", entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
            answers.ForEach(a => a.Dispose());

            await factory.DisposeAsync();
            var logs = string.Concat(Directory.GetFiles(Path.Combine(factory.DataDirectory, "logs")).Select(File.ReadAllText));
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(logs, "Refused a browser sign-in"));
        }
        finally
        {
            await factory.DisposeAsync();
            TestDirectories.Delete(factory.DataDirectory);
        }
    }

    [Fact]
    public async Task A_log_file_at_its_size_limit_is_continued_in_a_new_one()
    {
        var factory = DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint]).With("Dashboard:LogFileSizeLimitBytes", "4096");
        factory.KeepData = true;
        try
        {
            using var client = factory.CreateClient();
            // Each answered error is a request-log line at Information, which the file keeps.
            for (var i = 0; i < 60; i++)
            {
                using (await client.GetAsync(new Uri($"/api/nothing-here-{i}", UriKind.Relative)))
                {
                }
            }

            await factory.DisposeAsync();
            var files = Directory.GetFiles(Path.Combine(factory.DataDirectory, "logs"), "dashboard-*.log");
            Assert.True(files.Length >= 2, $"one log file only: {string.Join(", ", files.Select(Path.GetFileName))}");
            // The limit is checked before each event is written: a file ends with at most one event past it.
            Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 4096 + 1024, $"{Path.GetFileName(f)} is {new FileInfo(f).Length} bytes"));
            Assert.Contains("nothing-here-59", string.Concat(files.Select(File.ReadAllText)), StringComparison.Ordinal);
        }
        finally
        {
            await factory.DisposeAsync();
            TestDirectories.Delete(factory.DataDirectory);
        }
    }

    private static async Task<List<System.Text.Json.JsonElement>> SignInEntriesAsync(DashboardAppFactory factory)
    {
        using var api = factory.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        return [.. (await api.GetJsonAsync("/api/audit?pageSize=200")).GetProperty("items").EnumerateArray().Where(e => e.GetProperty("action").GetString() == "sign-in")];
    }
}
