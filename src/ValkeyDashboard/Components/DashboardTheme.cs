using MudBlazor;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Components;

/// <summary>The dashboard's MudBlazor theme and the colours that tell primaries (slot owners) apart.</summary>
public static class DashboardTheme
{
    /// <summary>Owner colours, one per primary in snapshot order; chosen to stay apart in light and dark mode.</summary>
    public static readonly IReadOnlyList<string> OwnerColors =
    [
        "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#17becf",
    ];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#6947c8",
            AppbarBackground = "#2b1f5c",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9d86ff",
            AppbarBackground = "#1b1537",
        },
    };

    public static string OwnerColor(int primaryIndex) => OwnerColors[primaryIndex % OwnerColors.Count];

    /// <summary>
    /// Each primary's colour, by its place in endpoint order: stable while slots move between primaries (ordering
    /// by first slot would swap colours whenever slot 0 changes hands).
    /// </summary>
    public static IReadOnlyDictionary<string, string> OwnerColorsOf(ClusterSnapshot snapshot) =>
        snapshot.Primaries
            .OrderBy(p => p.Endpoint, StringComparer.Ordinal)
            .Select((p, i) => (p.Id, Color: OwnerColor(i)))
            .ToDictionary(p => p.Id, p => p.Color, StringComparer.Ordinal);
}
