using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Security;

/// <summary>
/// A printed sign-in link works once and expires (15 minutes by default); the dashboard prints a new one on SIGUSR1; a
/// restart ends every browser session unless sessions are kept on purpose; signing out takes the page's own form.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public class SignInLinkTests(SharedClusterFixture fixture)
{
    private const string CookieName = ".ValkeyDashboard.SignIn";

    private static readonly WebApplicationFactoryClientOptions Browser = new() { AllowAutoRedirect = false, HandleCookies = true };

    /// <summary>A client that sends the cookie it is given, as the same browser would after the restart.</summary>
    private static readonly WebApplicationFactoryClientOptions CookieByHand = new() { AllowAutoRedirect = false, HandleCookies = false };

    private DashboardAppFactory SignInRequired(string? dataDirectory = null) =>
        DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint], dataDirectory).With("Dashboard:Auth:Mode", "BrowserToken");

    [Fact]
    public async Task The_printed_link_signs_in_once_and_a_second_use_is_refused()
    {
        await using var factory = SignInRequired();
        var link = $"/login?t={factory.Services.GetRequiredService<BrowserSignIn>().Token}";
        using var first = factory.CreateClient(Browser);
        using var second = factory.CreateClient(Browser);

        using var accepted = await first.GetAsync(new Uri(link, UriKind.Relative));
        using var refused = await second.GetAsync(new Uri(link, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("this sign-in link was used already", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await second.GetAsync(new Uri("/", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task The_printed_link_stops_working_after_its_lifetime()
    {
        var clock = new SignInClock(DateTimeOffset.UtcNow);
        await using var factory = SignInRequired().WithServices(services => services.AddSingleton(sp =>
            new BrowserSignIn(clock, sp.GetRequiredService<IOptions<DashboardAuthOptions>>())));
        using var client = factory.CreateClient(Browser);
        var signIn = factory.Services.GetRequiredService<BrowserSignIn>();

        var stale = signIn.Token;
        clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        using var expired = await client.GetAsync(new Uri($"/login?t={stale}", UriKind.Relative));
        var fresh = signIn.Issue();
        clock.Advance(TimeSpan.FromMinutes(14));
        using var inTime = await client.GetAsync(new Uri($"/login?t={fresh}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("this sign-in link has expired", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, inTime.StatusCode);
    }

    [Fact]
    public async Task SIGUSR1_makes_a_new_link_and_the_one_before_stops_working()
    {
        await using var factory = SignInRequired();
        using var client = factory.CreateClient(Browser);
        var signIn = factory.Services.GetRequiredService<BrowserSignIn>();
        var before = signIn.Token;

        using (var kill = Process.Start(new ProcessStartInfo("kill", $"-USR1 {Environment.ProcessId}") { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        await Wait.UntilAsync(_ => Task.FromResult(signIn.Token != before), TimeSpan.FromSeconds(10), "a new sign-in link", TimeSpan.FromMilliseconds(20));
        using var old = await client.GetAsync(new Uri($"/login?t={before}", UriKind.Relative));
        using var renewed = await client.GetAsync(new Uri($"/login?t={signIn.Token}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, renewed.StatusCode);
    }

    [Theory]
    [InlineData(false, HttpStatusCode.Redirect)]
    [InlineData(true, HttpStatusCode.OK)]
    public async Task A_restart_ends_every_browser_session_unless_sessions_are_kept(bool keep, HttpStatusCode afterRestart)
    {
        var first = SignInRequired().With("Dashboard:Auth:KeepSessionsAcrossRestarts", keep ? "true" : "false");
        first.KeepData = true;
        string? restartedData = null;
        try
        {
            string cookie;
            using (var browser = first.CreateClient(Browser))
            using (var login = await browser.GetAsync(new Uri($"/login?t={first.Services.GetRequiredService<BrowserSignIn>().Token}", UriKind.Relative)))
            {
                cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(CookieName + "=", StringComparison.Ordinal)).Split(';')[0];
                using var byHand = first.CreateClient(CookieByHand);
                Assert.Equal(HttpStatusCode.OK, (await PageWithAsync(byHand, cookie)).StatusCode);
            }

            await first.DisposeAsync();
            restartedData = first.DataDirectory;
            await using var restarted = SignInRequired(first.DataDirectory).With("Dashboard:Auth:KeepSessionsAcrossRestarts", keep ? "true" : "false");
            using var sameBrowser = restarted.CreateClient(CookieByHand);

            using var page = await PageWithAsync(sameBrowser, cookie);

            Assert.Equal(afterRestart, page.StatusCode);
            if (afterRestart == HttpStatusCode.Redirect)
            {
                Assert.Equal("/login", page.Headers.Location?.OriginalString.Split('?')[0]);
            }
        }
        finally
        {
            await first.DisposeAsync();
            TestDirectories.Delete(restartedData ?? first.DataDirectory);
        }
    }

    [Fact]
    public async Task Signing_out_without_the_pages_form_token_is_refused_and_the_browser_stays_signed_in()
    {
        await using var factory = SignInRequired();
        using var browser = factory.CreateClient(Browser);
        using (await browser.GetAsync(new Uri($"/login?t={factory.Services.GetRequiredService<BrowserSignIn>().Token}", UriKind.Relative)))
        {
        }

        using var signOut = await browser.PostAsync(new Uri("/logout", UriKind.Relative), new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri("/", UriKind.Relative))).StatusCode);
    }

    private static Task<HttpResponseMessage> PageWithAsync(HttpClient client, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
        request.Headers.Add("Cookie", cookie);
        return client.SendAsync(request);
    }

    private sealed class SignInClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
