using Microsoft.Playwright;
using ValkeyDashboard.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests.SignIn;

/// <summary>
/// A signed-in browser stays signed in while it uses the dashboard within <c>Dashboard:Auth:SessionIdleTimeout</c>
/// (sliding), and must sign in again after that long unused. The cookie's clock is moved, not waited for.
/// </summary>
[Collection(SignInBrowserCollection.Name)]
public sealed class SessionExpiryTests(SignInBrowserFixture fixture) : BrowserTest(fixture)
{
    private const float Deadline = 60_000;

    private static readonly TimeSpan Timeout = SignInBrowserFixture.IdleTimeout;

    [Fact]
    public Task A_browser_unused_for_longer_than_the_idle_timeout_must_sign_in_again() => ScreenshotOnFailureAsync(async () =>
    {
        await SignInAsync();

        fixture.Clock.Advance(Timeout + TimeSpan.FromMinutes(1));
        await Page.GotoAsync("/");

        await ExpectSignInPageAsync();
    });

    [Fact]
    public Task A_browser_still_within_the_idle_timeout_stays_signed_in() => ScreenshotOnFailureAsync(async () =>
    {
        await SignInAsync();

        fixture.Clock.Advance(Timeout - TimeSpan.FromMinutes(1));
        await Page.GotoAsync("/");

        await ExpectDashboardAsync();
    });

    [Fact]
    public Task Using_the_dashboard_within_the_idle_timeout_keeps_the_browser_signed_in_past_it() => ScreenshotOnFailureAsync(async () =>
    {
        await SignInAsync();

        // Used after 0.6 of the timeout (past half: the cookie is renewed), then again 0.6 later: 1.2 timeouts after signing in.
        fixture.Clock.Advance(Timeout * 0.6);
        await Page.GotoAsync("/");
        await ExpectDashboardAsync();
        fixture.Clock.Advance(Timeout * 0.6);
        await Page.GotoAsync("/");

        await ExpectDashboardAsync();
    });

    private async Task SignInAsync()
    {
        await Page.GotoAsync(fixture.ConsoleLink);
        await ExpectDashboardAsync();
    }

    private async Task ExpectDashboardAsync()
    {
        await Expect(Page).ToHaveURLAsync(Fixture.BaseUrl.ToString());
        await Expect(Page.Locator("[data-testid^=\"node-card-\"]")).ToHaveCountAsync(3, new() { Timeout = Deadline });
    }

    private async Task ExpectSignInPageAsync()
    {
        await Expect(Page).ToHaveURLAsync(new Uri(Fixture.BaseUrl, "/login").ToString());
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Valkey Dashboard" })).ToBeVisibleAsync();
    }
}
