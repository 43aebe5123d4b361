using Microsoft.AspNetCore.Components;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Components.Controls;

/// <summary>A primary and its replicas, one row of <see cref="NodeTable"/>.</summary>
public sealed record NodeRow(ClusterNode Primary, IReadOnlyList<ClusterNode> Replicas)
{
    /// <summary>One row per primary of <paramref name="snapshot"/>, in endpoint order, each with its replicas in endpoint order.</summary>
    public static IReadOnlyList<NodeRow> Of(ClusterSnapshot snapshot)
    {
        var replicas = snapshot.Nodes.Where(n => n.PrimaryId is not null).ToLookup(n => n.PrimaryId!, StringComparer.Ordinal);
        return [.. snapshot.Primaries
            .OrderBy(p => p.Endpoint, StringComparer.Ordinal)
            .Select(p => new NodeRow(p, [.. replicas[p.Id].OrderBy(r => r.Endpoint, StringComparer.Ordinal)]))];
    }
}

/// <summary>
/// The primaries as a compact, sortable, filterable table (virtualised: only the rows on screen are rendered), for
/// clusters whose cards would not fit a page. Each row takes slots dropped on it like a card (the heat map's script
/// finds it by <see cref="HeatMapContract.DropNodeAttributeName"/> on its cells), highlights its slots on the map
/// while the pointer is over it, and opens the primary's full card on demand (<see cref="OpenRequested"/>).
/// </summary>
public sealed partial class NodeTable
{
    /// <summary>The rows to show (see <see cref="NodeRow.Of"/>).</summary>
    [Parameter, EditorRequired]
    public required IReadOnlyList<NodeRow> Rows { get; set; }

    /// <summary>Each primary's owner colour, as on the map.</summary>
    [Parameter, EditorRequired]
    public required IReadOnlyDictionary<string, string> Colors { get; set; }

    /// <summary>Rows take slots dropped on them (an operator).</summary>
    [Parameter]
    public bool AcceptsDrops { get; set; }

    /// <summary>The filter text: a row shows when its endpoint, id, health or a replica's endpoint or id contains it.</summary>
    [Parameter]
    public string? Filter { get; set; }

    [Parameter]
    public EventCallback<string?> FilterChanged { get; set; }

    /// <summary>The operator asked to see the full card of the primary with this id.</summary>
    [Parameter]
    public EventCallback<string> OpenRequested { get; set; }

    /// <summary>The table's height (CSS): rows beyond it scroll, and only those on screen are rendered.</summary>
    [Parameter]
    public string Height { get; set; } = "420px";

    private int _shown;

    protected override void OnParametersSet() => _shown = Rows.Count(Matches);

    /// <summary>Whether <paramref name="row"/> passes the filter (case-insensitive, on what the row shows).</summary>
    public bool Matches(NodeRow row) => Matches(row, Filter);

    /// <inheritdoc cref="Matches(NodeRow)"/>
    public static bool Matches(NodeRow row, string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return true;
        }

        var text = filter.Trim();
        return Shows(row.Primary, text) || row.Replicas.Any(r => Shows(r, text));

        static bool Shows(ClusterNode node, string text) =>
            node.Endpoint.Contains(text, StringComparison.OrdinalIgnoreCase)
            || node.Id.StartsWith(text, StringComparison.OrdinalIgnoreCase)
            || node.Health.ToString().Equals(text, StringComparison.OrdinalIgnoreCase);
    }

    private string ColorOf(string id) => Colors.TryGetValue(id, out var color) ? color : "#999999";

    /// <summary>On every cell of a row: the primary the map highlights, and (for an operator) the drop target.</summary>
    private Dictionary<string, object> RowAttributes(string primaryId) => AcceptsDrops
        ? new Dictionary<string, object> { [HeatMapContract.OwnerAttributeName] = primaryId, [HeatMapContract.DropNodeAttributeName] = primaryId }
        : new Dictionary<string, object> { [HeatMapContract.OwnerAttributeName] = primaryId };
}
