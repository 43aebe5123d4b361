using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// An operator sees the doctor's findings on the page (slot statistics turned off on a real node; a slot left open with
/// raw SETSLOT commands), previews the fix's exact commands, sends it, and the finding goes; what a test changed is put
/// back whatever happens.
/// </summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed class DoctorPanelTests(DashboardBrowserFixture fixture) : BrowserTest(fixture)
{
    private const float Deadline = 60_000;

    [Fact]
    public Task Slot_statistics_turned_off_show_in_the_doctor_panel_and_fixing_them_from_the_page_clears_it() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        var primary = primaries[0];
        var valkey = Fixture.Services.GetRequiredService<ValkeyConnection>();
        await new HeatMapPage(Page).OpenAsync(primaries.Count, Deadline);

        await TestCleanup.RunAsync(
            async () =>
            {
                await valkey.ExecuteAsync(primary.Endpoint, "CONFIG", "SET", "cluster-slot-stats-enabled", "no");
                var panel = Page.GetByTestId("doctor-panel");
                await panel.GetByTestId("doctor-check").ClickAsync();
                var finding = panel.Locator("[data-testid^='doctor-finding-'][data-kind='slot-stats-disabled']");
                await Expect(finding).ToContainTextAsync($"off on {primary.Endpoint}", new() { Timeout = Deadline });

                await finding.Locator("[data-testid^='doctor-fix-enable-slot-stats-']").ClickAsync();
                await Expect(panel.GetByTestId("doctor-fix-command")).ToHaveTextAsync($"{primary.Endpoint}: CONFIG SET cluster-slot-stats-enabled yes", new() { Timeout = Deadline });
                Assert.Equal("no", (string?)(await valkey.ExecuteAsync(primary.Endpoint, "CONFIG", "GET", "cluster-slot-stats-enabled"))[1]);
                await Screenshots.SaveAsync(Page, "doctor-fix-preview.png", fullPage: false);
                await panel.GetByTestId("doctor-fix-confirm").ClickAsync();

                await Expect(finding).ToHaveCountAsync(0, new() { Timeout = Deadline });
                Assert.Equal("yes", (string?)(await valkey.ExecuteAsync(primary.Endpoint, "CONFIG", "GET", "cluster-slot-stats-enabled"))[1]);
            },
            cleanup: () => valkey.ExecuteAsync(primary.Endpoint, "CONFIG", "SET", "cluster-slot-stats-enabled", "yes"));
    });

    [Fact]
    public Task A_slot_left_open_shows_in_the_doctor_panel_and_rolling_it_back_from_the_page_keeps_every_key() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        var (source, target) = (primaries[1], primaries[2]);
        var valkey = Fixture.Services.GetRequiredService<ValkeyConnection>();
        await new HeatMapPage(Page).OpenAsync(primaries.Count, Deadline);
        var (slot, keys) = await KeysInOneSlotOfAsync(valkey, source);
        foreach (var key in keys)
        {
            await valkey.ExecuteAsync(source.Endpoint, "SET", key, "value of " + key);
        }

        await TestCleanup.RunAsync(
            async () =>
            {
                await valkey.ExecuteAsync(target.Endpoint, "CLUSTER", "SETSLOT", slot, "IMPORTING", source.Id);
                await valkey.ExecuteAsync(source.Endpoint, "CLUSTER", "SETSLOT", slot, "MIGRATING", target.Id);
                var panel = Page.GetByTestId("doctor-panel");
                await panel.GetByTestId("doctor-check").ClickAsync();
                var finding = panel.Locator("[data-testid^='doctor-finding-'][data-kind='open-slot']");
                await Expect(finding).ToContainTextAsync($"{source.Endpoint} marks it migrating to {target.Endpoint}", new() { Timeout = Deadline });

                await finding.Locator("[data-testid^='doctor-fix-settle-open-slot-']").ClickAsync();
                var commands = panel.GetByTestId("doctor-fix-command");
                await Expect(commands.First).ToHaveTextAsync($"{target.Endpoint}: CLUSTER SETSLOT {slot} STABLE", new() { Timeout = Deadline });
                await Expect(commands).ToHaveTextAsync(
                [
                    $"{target.Endpoint}: CLUSTER SETSLOT {slot} STABLE",
                    $"{source.Endpoint}: CLUSTER SETSLOT {slot} STABLE",
                    $"{source.Endpoint}: CLUSTER SETSLOT {slot} NODE {source.Id}",
                    .. primaries.Where(p => p.Id != source.Id).Select(p => $"{p.Endpoint}: CLUSTER SETSLOT {slot} NODE {source.Id}"),
                ]);
                await panel.GetByTestId("doctor-fix-confirm").ClickAsync();

                await Expect(finding).ToHaveCountAsync(0, new() { Timeout = Deadline });
                Assert.DoesNotContain("[", (string?)await valkey.ExecuteAsync(source.Endpoint, "CLUSTER", "NODES"), StringComparison.Ordinal);
                Assert.DoesNotContain("[", (string?)await valkey.ExecuteAsync(target.Endpoint, "CLUSTER", "NODES"), StringComparison.Ordinal);
                foreach (var key in keys)
                {
                    Assert.Equal("value of " + key, (string?)await valkey.ExecuteAsync(source.Endpoint, "GET", key));
                }
            },
            cleanup: async () =>
            {
                await valkey.ExecuteAsync(target.Endpoint, "CLUSTER", "SETSLOT", slot, "STABLE");
                await valkey.ExecuteAsync(source.Endpoint, "CLUSTER", "SETSLOT", slot, "STABLE");
                await valkey.ExecuteAsync(source.Endpoint, "DEL", [.. keys]);
            });
    });

    /// <summary>A slot of <paramref name="owner"/>'s and five keys in it (one hash tag).</summary>
    private static async Task<(int Slot, IReadOnlyList<string> Keys)> KeysInOneSlotOfAsync(ValkeyConnection valkey, (string Id, string Endpoint, string Slots) owner)
    {
        var slots = Cluster.Model.SlotRangeSet.Parse(owner.Slots);
        for (var i = 0; ; i++)
        {
            var tag = $"{{doctor-open-slot:{i}}}";
            var slot = (int)await valkey.ExecuteAsync(owner.Endpoint, "CLUSTER", "KEYSLOT", tag);
            if (slots.Contains(slot))
            {
                return (slot, [.. Enumerable.Range(0, 5).Select(k => $"{tag}:{k.ToString(CultureInfo.InvariantCulture)}")]);
            }
        }
    }
}
