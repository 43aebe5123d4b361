using Microsoft.AspNetCore.Components;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components;

namespace ValkeyDashboard.Components.Controls;

/// <summary>The heat map's selection in figures (exact, from the latest snapshot), with a target and a Move button for keyboard users.</summary>
public sealed partial class SelectionSummary
{
    /// <summary>The selected slots.</summary>
    [Parameter, EditorRequired]
    public required SlotRangeSet Selection { get; set; }

    /// <summary>The cluster the figures come from.</summary>
    [Parameter, EditorRequired]
    public required ClusterSnapshot Snapshot { get; set; }

    /// <summary>The chosen target primary's id (for the Move button and Enter on the map).</summary>
    [Parameter]
    public string? Target { get; set; }

    [Parameter]
    public EventCallback<string?> TargetChanged { get; set; }

    /// <summary>The user may start migrations.</summary>
    [Parameter]
    public bool CanMove { get; set; } = true;

    [Parameter]
    public EventCallback MoveRequested { get; set; }

    [Parameter]
    public EventCallback ClearRequested { get; set; }

    /// <summary>
    /// The primaries whose endpoint or id contains <paramref name="text"/> (all of them for no text), in endpoint
    /// order, as ids for the "Move to" chooser.
    /// </summary>
    public Task<IEnumerable<string>> SearchTargetsAsync(string? text, CancellationToken cancellationToken) =>
        Task.FromResult<IEnumerable<string>>([.. Snapshot.Primaries
            .Where(p => string.IsNullOrWhiteSpace(text)
                || p.Endpoint.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase)
                || p.Id.StartsWith(text.Trim(), StringComparison.OrdinalIgnoreCase))
            .OrderBy(p => p.Endpoint, StringComparer.Ordinal)
            .Select(p => p.Id)]);

    /// <summary>A primary's id as the chooser shows it: its endpoint.</summary>
    private string EndpointOf(string? id) => id is null ? string.Empty : Snapshot.FindNode(id)?.Endpoint ?? DisplayFormat.ShortId(id);

    /// <summary>Per owning primary: its endpoint, colour, and the selected slots and keys it holds.</summary>
    private IReadOnlyList<(string Endpoint, string Color, int Slots, long Keys)> Owners { get; set; } = [];

    private int UnassignedSlots { get; set; }

    protected override void OnParametersSet()
    {
        var colors = DashboardTheme.OwnerColorsOf(Snapshot);
        var keys = Snapshot.SlotStatistics.KeyCount;
        var owners = new Dictionary<string, (int Slots, long Keys)>(StringComparer.Ordinal);
        var unassigned = 0;
        foreach (var slot in Selection.Slots())
        {
            if (Snapshot.SlotOwners[slot] is not { } owner)
            {
                unassigned++;
                continue;
            }

            var (slots, ownerKeys) = owners.GetValueOrDefault(owner);
            owners[owner] = (slots + 1, ownerKeys + keys[slot]);
        }

        Owners = [.. owners
            .Select(o => (Snapshot.FindNode(o.Key)?.Endpoint ?? DisplayFormat.ShortId(o.Key), colors.GetValueOrDefault(o.Key, "#999999"), o.Value.Slots, o.Value.Keys))
            .OrderBy(o => o.Item1, StringComparer.Ordinal)];
        UnassignedSlots = unassigned;
    }
}
