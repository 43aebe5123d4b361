using Microsoft.Playwright;
using ValkeyDashboard.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests.SignIn;

/// <summary>The sign-in page has the dashboard's look, light or dark as the system prefers; Sign out on the page ends the session.</summary>
[Collection(SignInBrowserCollection.Name)]
public sealed class SignInPageTests(SignInBrowserFixture fixture) : BrowserTest(fixture)
{
    [Theory]
    [InlineData("light", "rgb(43, 31, 92)", "rgb(255, 255, 255)")]
    [InlineData("dark", "rgb(27, 21, 55)", "rgb(50, 51, 61)")]
    public Task The_sign_in_page_has_the_dashboards_theme_in_the_systems_colour_scheme(string scheme, string appBar, string background) => ScreenshotOnFailureAsync(async () =>
    {
        var context = await Fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Fixture.BaseUrl.ToString(),
            ViewportSize = DashboardBrowserFixture.Viewport,
            ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
        });
        try
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync("/login");

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Valkey Dashboard" })).ToBeVisibleAsync();
            await Expect(page.GetByText("Open the sign-in link the dashboard printed on its console")).ToBeVisibleAsync();
            await Expect(page.Locator(".mud-appbar")).ToHaveCSSAsync("background-color", appBar);
            await Expect(page.Locator("body")).ToHaveCSSAsync("background-color", background);
            await Expect(page.GetByTestId("sign-in")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-paper"));
            await Screenshots.TrySaveAsync(page, $"sign-in-{scheme}.png");
        }
        finally
        {
            await context.CloseAsync();
        }
    });

    [Fact]
    public Task Sign_out_ends_the_browsers_session() => ScreenshotOnFailureAsync(async () =>
    {
        await Page.GotoAsync(fixture.ConsoleLink);
        await Expect(Page.Locator("[data-testid^=\"node-card-\"]")).ToHaveCountAsync(3, new() { Timeout = 60_000 });
        await Expect(Page.GetByTestId("signed-in-as")).ToHaveTextAsync("browser");

        await Page.GetByTestId("sign-out").ClickAsync();

        await Expect(Page.GetByTestId("sign-in-message")).ToHaveTextAsync("You are signed out.");
        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(new Uri(Fixture.BaseUrl, "/login").ToString());
        await Expect(Page.Locator("[data-testid^=\"node-card-\"]")).ToHaveCountAsync(0);
    });
}
