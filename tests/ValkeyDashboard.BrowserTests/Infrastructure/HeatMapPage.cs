using Microsoft.Playwright;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.BrowserTests.Infrastructure;

/// <summary>
/// The home page as a user works it: the heat map canvas (slot s at row s / 128, column s % 128), node cards as drop
/// targets, range chips. Every gesture is real pointer input at real coordinates.
/// </summary>
public sealed partial class HeatMapPage(IPage page)
{
    public const int Side = 128;

    public ILocator Canvas => page.GetByTestId("slot-heatmap");

    public ILocator Card(string nodeId) => page.GetByTestId($"node-card-{nodeId}");

    /// <summary>Opens the dashboard (<paramref name="path"/>: a cluster's page) and waits until the map has drawn the cluster and every primary has its card.</summary>
    public async Task OpenAsync(int primaries, float timeout, string path = "/")
    {
        await page.GotoAsync(path);
        await Assertions.Expect(page.Locator("[data-testid^=\"node-card-\"]")).ToHaveCountAsync(primaries, new() { Timeout = timeout });
        await WaitUntilLiveAsync(timeout);
    }

    /// <summary>
    /// Waits until the page is interactive: its circuit has sent the map a frame and the map drew it. The prerendered
    /// page looks the same before; a link clicked then is followed without the circuit, which may render its own
    /// first page over it once it starts.
    /// </summary>
    public async Task WaitUntilLiveAsync(float timeout) =>
        await page.WaitForFunctionAsync("() => performance.getEntriesByName('heatmap-frame').length > 0 && performance.getEntriesByName('heatmap-draw').length > 0",
            null, new() { Timeout = timeout });

    /// <summary>Presses on slot <paramref name="from"/> and drags across the map to slot <paramref name="to"/>.</summary>
    public async Task DragSelectAsync(int from, int to)
    {
        var start = await CellCentreAsync(from);
        var end = await CellCentreAsync(to);
        await page.Mouse.MoveAsync(start.X, start.Y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(end.X, end.Y, new() { Steps = 12 });
        await page.Mouse.UpAsync();
    }

    /// <summary>Picks the selection up at slot <paramref name="grab"/> (a selected slot) and drops it on a node's card.</summary>
    public async Task DropSelectionOnAsync(int grab, string nodeId) => await DragToCardAsync(() => CellCentreAsync(grab), nodeId);

    /// <summary>Drags the range chip <paramref name="start"/>-<paramref name="end"/> onto a node's card.</summary>
    public async Task DragChipAsync(int start, int end, string nodeId)
    {
        var chip = page.GetByTestId($"slot-range-chip-{start}-{end}");
        await DragToCardAsync(async () =>
        {
            var box = await chip.BoundingBoxAsync() ?? throw new InvalidOperationException($"chip {start}-{end} is not visible");
            return (box.X + box.Width / 2, box.Y + box.Height / 2);
        }, nodeId);
    }

    /// <summary>The middle of a slot's cell, in page coordinates.</summary>
    public async Task<(float X, float Y)> CellCentreAsync(int slot)
    {
        var box = await Canvas.BoundingBoxAsync() ?? throw new InvalidOperationException("the heat map is not visible");
        var cell = box.Width / Side;
        return (box.X + (slot % Side + 0.5f) * cell, box.Y + (slot / Side + 0.5f) * cell);
    }

    /// <summary>Clicks a slot's cell (a press and release without moving: selects that slot alone).</summary>
    public async Task ClickSlotAsync(int slot)
    {
        var (x, y) = await CellCentreAsync(slot);
        await page.Mouse.ClickAsync(x, y);
    }

    /// <summary>The colour drawn at the middle of a slot's cell.</summary>
    public async Task<Rgb> PixelAsync(int slot) => Rgb.Parse(await Canvas.EvaluateAsync<string>(
        """
        (canvas, slot) => {
            const cell = canvas.width / 128;
            const [r, g, b] = canvas.getContext('2d').getImageData(Math.floor((slot % 128 + 0.5) * cell), Math.floor((Math.floor(slot / 128) + 0.5) * cell), 1, 1).data;
            return `rgb(${r}, ${g}, ${b})`;
        }
        """, slot));

    /// <summary>
    /// The colour of a legend item's swatch (<c>legend-unassigned</c>, <c>legend-zero</c>), read in one step: the script
    /// rewrites the legend whenever the scale changes, so an element found first and read later may be gone.
    /// </summary>
    public async Task<Rgb> LegendSwatchAsync(string testId)
    {
        var colour = await page.EvaluateAsync<string?>(
            "id => { const s = document.querySelector(`[data-testid=\"heatmap-legend\"] [data-testid=\"${id}\"] .swatch`); return s ? getComputedStyle(s).backgroundColor : null; }",
            testId);
        return Rgb.Parse(colour ?? throw new InvalidOperationException($"the legend has no {testId}"));
    }

    /// <summary>
    /// The legend of a figure's view: the figure the top of its ramp stands for (<c>data-scale</c>) and the ramp's colour
    /// stops, evenly spaced from left to right, as the page styles them.
    /// </summary>
    public async Task<(double Scale, IReadOnlyList<Rgb> Stops)> LegendRampAsync()
    {
        var legend = await page.EvaluateAsync<string[]?>(
            "() => { const l = document.querySelector('[data-testid=\"heatmap-legend\"]'); const r = l?.querySelector('.ramp'); return r && l.dataset.scale ? [l.dataset.scale, getComputedStyle(r).backgroundImage] : null; }");
        if (legend is null)
        {
            throw new InvalidOperationException("the legend shows no ramp with a scale");
        }

        var stops = RgbColours().Matches(legend[1]).Select(m => Rgb.Parse(m.Value)).ToList();
        return (double.Parse(legend[0], System.Globalization.CultureInfo.InvariantCulture), stops);
    }

    /// <summary>
    /// The planned moves the map hatches, as its canvas tells (<see cref="HeatMapContract.PlannedAttributeName"/>:
    /// "slots&gt;target" per move): the slots and the id of the primary they are to move to.
    /// </summary>
    public async Task<IReadOnlyList<(SlotRangeSet Slots, string TargetId)>> PlannedAsync()
    {
        var text = await Canvas.GetAttributeAsync(HeatMapContract.PlannedAttributeName) ?? string.Empty;
        return [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(move => move.Split('>')).Select(p => (SlotRangeSet.Parse(p[0]), p[1]))];
    }

    /// <summary>
    /// Of the pixels inside the cells of <paramref name="slots"/> (clear of the boundary lines between owners), how many there are and how many are drawn in
    /// each of <paramref name="colours"/> (each channel within <paramref name="tolerance"/>).
    /// </summary>
    public async Task<(int Total, int[] InColour)> CellPixelsAsync(IEnumerable<int> slots, IReadOnlyList<Rgb> colours, int tolerance = 8)
    {
        var counts = await Canvas.EvaluateAsync<int[]>(
            """
            (canvas, [slots, colours, tolerance, side]) => {
                const cell = canvas.width / side;
                // Clear of the boundary lines the map draws along edges between owners (half their width each side).
                const inset = Math.ceil(Math.max(1, Math.round(cell / 5)) / 2);
                const context = canvas.getContext('2d');
                const counts = new Array(colours.length + 1).fill(0);
                for (const slot of slots) {
                    const column = slot % side, row = Math.floor(slot / side);
                    const x0 = Math.ceil(column * cell + inset), x1 = Math.floor((column + 1) * cell - inset);
                    const y0 = Math.ceil(row * cell + inset), y1 = Math.floor((row + 1) * cell - inset);
                    if (x1 <= x0 || y1 <= y0) {
                        continue;
                    }

                    const data = context.getImageData(x0, y0, x1 - x0, y1 - y0).data;
                    for (let i = 0; i < data.length; i += 4) {
                        counts[0]++;
                        colours.forEach(([r, g, b], k) => {
                            if (Math.abs(data[i] - r) <= tolerance && Math.abs(data[i + 1] - g) <= tolerance && Math.abs(data[i + 2] - b) <= tolerance) {
                                counts[k + 1]++;
                            }
                        });
                    }
                }

                return counts;
            }
            """, new object[] { slots.ToArray(), colours.Select(c => new[] { c.R, c.G, c.B }).ToArray(), tolerance, Side });
        return (counts[0], counts[1..]);
    }

    /// <summary>The colour the page gives a primary: its card's top border, the colour of its slots on the map.</summary>
    public async Task<Rgb> OwnerColourAsync(string nodeId) =>
        Rgb.Parse(await Card(nodeId).EvaluateAsync<string>("card => getComputedStyle(card).borderTopColor"));

    [System.Text.RegularExpressions.GeneratedRegex(@"rgba?\([^)]*\)")]
    private static partial System.Text.RegularExpressions.Regex RgbColours();

    /// <summary>Scrolls the card into view (the map stays in view beside it), then drags from where <paramref name="start"/> says onto it.</summary>
    private async Task DragToCardAsync(Func<Task<(float X, float Y)>> start, string nodeId)
    {
        var target = Card(nodeId);
        await target.ScrollIntoViewIfNeededAsync();
        var card = await target.BoundingBoxAsync() ?? throw new InvalidOperationException($"the card of {nodeId} is not visible");
        var from = await start();
        await page.Mouse.MoveAsync(from.X, from.Y);
        await page.Mouse.DownAsync();
        // Past the drag threshold first, then across the page onto the card, as a hand would.
        await page.Mouse.MoveAsync(from.X + 10, from.Y + 10, new() { Steps = 3 });
        var (x, y) = DropPoint(card);
        await page.Mouse.MoveAsync(x, y, new() { Steps = 15 });
        // As a hand would, look before letting go: the page is live (a doctor finding, a migration's row or a
        // selection summary appearing above the cards moves them), so if the card moved while the pointer travelled,
        // follow it to where it is now.
        for (var attempt = 0; attempt < 5 && !await UnderPointerAsync(nodeId, x, y); attempt++)
        {
            card = await target.BoundingBoxAsync() ?? throw new InvalidOperationException($"the card of {nodeId} is not visible");
            (x, y) = DropPoint(card);
            await page.Mouse.MoveAsync(x, y, new() { Steps = 3 });
        }

        await page.Mouse.UpAsync();
    }

    private static (float X, float Y) DropPoint(LocatorBoundingBoxResult card) =>
        (card.X + card.Width / 2, card.Y + Math.Min(40, card.Height / 2));

    private Task<bool> UnderPointerAsync(string nodeId, float x, float y) => page.EvaluateAsync<bool>(
        "({ id, x, y }) => document.elementFromPoint(x, y)?.closest(`[data-testid=\"node-card-${id}\"]`) != null",
        new { id = nodeId, x = (double)x, y = (double)y });
}
