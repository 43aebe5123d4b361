using System.Net.Http.Headers;
using Microsoft.Playwright;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests.SignIn;

/// <summary>With sign-in on (the default), a browser gets in through the link the dashboard printed on its console.</summary>
[Collection(SignInBrowserCollection.Name)]
public sealed class ConsoleLinkSignInTests(SignInBrowserFixture fixture) : BrowserTest(fixture)
{
    private const float Deadline = 60_000;

    [Fact]
    public Task Without_signing_in_the_dashboard_shows_how_to_sign_in_and_no_cluster() => ScreenshotOnFailureAsync(async () =>
    {
        await Page.GotoAsync("/");

        await Expect(Page).ToHaveURLAsync(new Uri(Fixture.BaseUrl, "/login").ToString());
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Valkey Dashboard" })).ToBeVisibleAsync();
        await Expect(Page.Locator("[data-testid^=\"node-card-\"]")).ToHaveCountAsync(0);
    });

    [Fact]
    public Task Opening_the_console_link_signs_the_browser_in_as_an_operator_and_lands_on_the_dashboard() => ScreenshotOnFailureAsync(async () =>
    {
        await Page.GotoAsync(fixture.ConsoleLink);

        await Expect(Page).ToHaveURLAsync(Fixture.BaseUrl.ToString());
        await Expect(Page.Locator("[data-testid^=\"node-card-\"]")).ToHaveCountAsync(3, new() { Timeout = Deadline });
        // An operator's page: node controls and drop targets.
        await Expect(Page.GetByTestId("add-primary")).ToBeVisibleAsync();
        await Expect(Page.Locator("[data-drop-node]")).ToHaveCountAsync(3);
    });

    [Fact]
    public Task A_sign_in_with_the_console_link_is_in_the_audit_log_as_the_browser_operator() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SignInBrowserFixture.OperatorToken);
        var before = (await api.GetJsonAsync("/api/audit")).GetProperty("total").GetInt32();

        await Page.GotoAsync(fixture.ConsoleLink);
        await Expect(Page.Locator("[data-testid^=\"node-card-\"]")).ToHaveCountAsync(3, new() { Timeout = Deadline });

        var audit = await api.GetJsonAsync("/api/audit");
        Assert.Equal(before + 1, audit.GetProperty("total").GetInt32());
        var entry = audit.GetProperty("items")[0];
        Assert.Equal("browser sign-in accepted operator",
            $"{entry.GetProperty("actor").GetString()} {entry.GetProperty("action").GetString()} {entry.GetProperty("outcome").GetString()} {entry.GetProperty("detail").GetString()}");
    });
}
