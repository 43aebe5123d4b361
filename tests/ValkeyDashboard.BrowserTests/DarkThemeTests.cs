using System.Globalization;
using System.Text.Json;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// The dark theme as a reader sees it, measured in the page: the page and its cards are dark, and every piece of text
/// on the node cards and in the heat map's legend stands out from what is behind it by a WCAG contrast of at least
/// 4.5:1 (computed from the styles the browser applied: text colour and opacity over the backgrounds beneath it).
/// </summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed class DarkThemeTests(DashboardBrowserFixture fixture) : BrowserTest(fixture)
{
    private const float Deadline = 30_000;

    /// <summary>WCAG 2 AA for normal text.</summary>
    private const double MinimumContrast = 4.5;

    /// <summary>
    /// Every element with text of its own under the roots, with its text, the colour it is drawn in (its colour's alpha
    /// and the opacity of it and its ancestors applied over its background) and its background (the backgrounds of it
    /// and its ancestors composed from the page down).
    /// </summary>
    private const string TextColoursScript =
        """
        roots => {
            const parse = css => { const n = (css.match(/[\d.]+/g) ?? []).map(Number); return { r: n[0] ?? 0, g: n[1] ?? 0, b: n[2] ?? 0, a: n.length > 3 ? n[3] : (n.length ? 1 : 0) }; };
            const over = (top, bottom) => ({ r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a), b: top.b * top.a + bottom.b * (1 - top.a), a: 1 });
            const css = c => `rgb(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)})`;
            const background = el => {
                const chain = [];
                for (let e = el; e; e = e.parentElement) { chain.unshift(e); }
                let bg = { r: 255, g: 255, b: 255, a: 1 };
                for (const e of chain) { const c = parse(getComputedStyle(e).backgroundColor); if (c.a > 0) { bg = over(c, bg); } }
                return bg;
            };
            const opacity = el => { let o = 1; for (let e = el; e; e = e.parentElement) { o *= Number(getComputedStyle(e).opacity); } return o; };
            const found = [];
            for (const root of document.querySelectorAll(roots)) {
                for (const el of [root, ...root.querySelectorAll('*')]) {
                    const text = [...el.childNodes].filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('').trim();
                    const style = getComputedStyle(el);
                    const box = el.getBoundingClientRect();
                    if (!text || style.visibility !== 'visible' || box.width === 0 || box.height === 0) { continue; }
                    const bg = background(el);
                    const fg = parse(style.color);
                    fg.a *= opacity(el);
                    found.push({ text, color: css(over(fg, bg)), background: css(bg) });
                }
            }
            return found;
        }
        """;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private sealed record TextColour(string Text, string Color, string Background)
    {
        public double Contrast => Rgb.Parse(Color).ContrastWith(Rgb.Parse(Background));
    }

    private async Task<List<TextColour>> TextColoursAsync() =>
        (await Page.EvaluateAsync<JsonElement>(TextColoursScript, "[data-testid^=\"node-card-\"], [data-testid=\"heatmap-legend\"]")).Deserialize<List<TextColour>>(Web)!;

    private static void AssertReadable(List<TextColour> texts)
    {
        var poor = texts.Where(t => t.Contrast < MinimumContrast).ToList();
        Assert.True(poor.Count == 0, "text below 4.5:1 in the dark theme:\n" + string.Join('\n', poor.Select(t =>
            string.Create(CultureInfo.InvariantCulture, $"  \"{t.Text}\": {t.Color} on {t.Background} = {t.Contrast:0.00}:1"))));
    }

    [Fact]
    public Task The_dark_theme_is_dark_and_the_text_on_cards_and_legend_has_a_contrast_of_at_least_4_5() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var map = new HeatMapPage(Page);
        await map.OpenAsync((await api.PrimariesAsync()).Count, Deadline);
        var body = async () => Rgb.Parse(await Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
        Assert.True((await body()).Luminance > 0.8, $"the light theme's page is light ({await body()})");

        await Page.GetByTestId("theme-toggle").ClickAsync();

        await Cluster.Concurrency.Wait.UntilAsync(async _ => (await body()).Luminance < 0.05, TimeSpan.FromSeconds(10), "the page to turn dark", TimeSpan.FromMilliseconds(100));
        var card = Rgb.Parse(await map.Card((await api.PrimariesAsync())[0].Id).EvaluateAsync<string>("c => getComputedStyle(c).backgroundColor"));
        Assert.True(card.Luminance < 0.05, $"a node card is dark ({card})");
        // The legend is written by the map's script: wait until it has redrawn for the dark theme.
        await Cluster.Concurrency.Wait.UntilAsync(async _ => (await map.LegendSwatchAsync("legend-unassigned")).Luminance < 0.1, TimeSpan.FromSeconds(10),
            "the legend to be drawn for the dark theme", TimeSpan.FromMilliseconds(100));

        var texts = await TextColoursAsync();

        // Every card's endpoint, node rows, health and slot chips, and the legend's owners: far more than a handful.
        Assert.True(texts.Count >= 30, $"only {texts.Count} pieces of text were found on the cards and in the legend");
        Assert.Contains(texts, t => t.Text == "online");
        Assert.Contains(texts, t => t.Text == "unassigned");
        AssertReadable(texts);

        // A figure's legend has its own texts: the metric's name, the ramp's labels, zero.
        await Page.GetByTestId("metric-select").GetByText("Keys", new() { Exact = true }).ClickAsync();
        // The legend is rewritten when the keys frame arrives: until then it may have no zero swatch yet (not a failure).
        await Cluster.Concurrency.Wait.UntilAsync(async _ => (await map.LegendSwatchAsync("legend-zero")).Luminance < 0.1, TimeSpan.FromSeconds(10),
            "the keys legend to be drawn for the dark theme", TimeSpan.FromMilliseconds(100), retryOn: ex => ex is InvalidOperationException);
        var legend = await TextColoursAsync();
        Assert.Contains(legend, t => t.Text == "Keys (log)");
        AssertReadable(legend);
        await Screenshots.SaveAsync(Page, "home-dark-contrast.png", fullPage: false);
    });
}
