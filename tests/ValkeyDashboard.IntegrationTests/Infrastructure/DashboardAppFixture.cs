using System.Text.Json;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Concurrency;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// One dashboard with its embedded 3×1 cluster, shared by the tests of <see cref="DashboardAppCollection"/> (one at a
/// time). What a test may do on it:
/// <list type="bullet">
/// <item>read anything;</item>
/// <item>move slots, write keys or change a node's state only inside <see cref="RestoringAsync"/>, which moves every slot
/// back to the primary that had it when the test began and runs the test's own clean-up (deleting its keys, undoing a
/// setting) whatever the test did;</item>
/// <item>never stop, start or add nodes: tests that do start a dashboard of their own;</item>
/// <item>find its own migrations and audit entries by id (or by what only it asked for), never by their place in the
/// shared history or audit log, to which every test adds.</item>
/// </list>
/// </summary>
public sealed class DashboardAppFixture() : EmbeddedDashboardFixture(DashboardAppFactory.Embedded())
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs a test's <paramref name="steps"/>, then its <paramref name="cleanup"/> (if any), then moves every slot that
    /// left its primary back to it through the API. A failing clean-up is reported with the test's own failure, never
    /// instead of it (<see cref="TestCleanup"/>).
    /// </summary>
    public async Task RestoringAsync(Func<Task> steps, Func<Task>? cleanup = null)
    {
        var before = await Client.PrimariesAsync();
        await TestCleanup.RunAsync(steps, () => TestCleanup.RunAsync(cleanup ?? (() => Task.CompletedTask), () => RestoreSlotsAsync(before)));
    }

    private async Task RestoreSlotsAsync(IReadOnlyList<(string Id, string Endpoint, string Slots)> before)
    {
        // A move back would collide with a migration of the test that is still running (a released hold lets it finish).
        await Wait.UntilAsync(
            async _ => (await Client.GetJsonAsync("/api/migrations?pageSize=200")).GetProperty("items").EnumerateArray()
                .All(m => m.GetProperty("state").GetString() != "running"),
            Deadline, "the test's migrations to end before the slots are moved back", TimeSpan.FromMilliseconds(100));

        foreach (var (id, endpoint, slots) in before)
        {
            var now = (await Client.PrimariesAsync()).Single(p => p.Id == id);
            var missing = SlotsOf(slots).Except(SlotsOf(now.Slots));
            if (missing.IsEmpty)
            {
                continue;
            }

            using var response = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{missing}}", "targetNodeId": "{{id}}"}""");
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"moving {missing} back to {endpoint} answered {(int)response.StatusCode}: {body}");
            }

            var moveBack = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
            var final = await Client.WaitForMigrationAsync(moveBack, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", Deadline);
            if (final.GetProperty("state").GetString() != "succeeded")
            {
                throw new InvalidOperationException($"moving {missing} back to {endpoint} ended {final.GetRawText()}");
            }
        }

        await Wait.UntilAsync(async _ => (await Client.PrimariesAsync()).SequenceEqual(before), Deadline,
            $"the slots to be where they were: {string.Join("; ", before.Select(p => $"{p.Endpoint} {p.Slots}"))}", TimeSpan.FromMilliseconds(100));
    }

    private static SlotRangeSet SlotsOf(string slots) => slots.Length == 0 ? SlotRangeSet.Empty : SlotRangeSet.Parse(slots);
}

[CollectionDefinition(Name)]
public sealed class DashboardAppCollection : ICollectionFixture<DashboardAppFixture>
{
    public const string Name = "dashboard app with embedded cluster";
}
