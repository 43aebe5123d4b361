using System.Net.Http.Headers;
using ValkeyDashboard.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests.SignIn;

/// <summary>
/// A browser signed in to the dashboard (its cookie is SameSite=Strict, but a page on another port of the same host is
/// the same site, so the cookie rides along) opens another site's page in real Chromium: the page's WebSockets to the
/// hub and to Blazor are refused, its no-cors and credentialed requests change nothing, and it cannot frame the dashboard.
/// </summary>
[Collection(SignInBrowserCollection.Name)]
public sealed class SignedInCrossSiteRequestTests(SignInBrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public Task A_page_of_another_site_gets_nothing_from_the_signed_in_browser() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SignInBrowserFixture.OperatorToken);
        await Page.GotoAsync(fixture.ConsoleLink);
        await Expect(Page.Locator("[data-testid^=\"node-card-\"]")).ToHaveCountAsync(3, new() { Timeout = 60_000 });
        var before = await CrossSiteChecks.StateAsync(api);
        await using var attacker = await CrossSitePage.StartAsync(Fixture.BaseUrl, before.ReplicaId, before.OtherPrimaryId, before.LatestMigrationId);

        var outcome = await attacker.AttackAsync(Page);

        CrossSiteChecks.AssertRefused(outcome);
        Assert.Equal(before, await CrossSiteChecks.StateAsync(api));
        // The browser is still signed in: refusing the other page did not cost the operator the session.
        await Page.GotoAsync(Fixture.BaseUrl.ToString());
        await Expect(Page.Locator("[data-testid^=\"node-card-\"]")).ToHaveCountAsync(3, new() { Timeout = 60_000 });
    });
}
