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
            // MudBlazor's 50 % white reads at 4.3:1 on its dark surface; 60 % gives secondary text the 4.5:1 of WCAG AA.
            TextSecondary = "rgba(255,255,255,0.60)",
        },
    };

    /// <summary>
    /// The colour of the primary at <paramref name="primaryIndex"/> in endpoint order: the twelve <see cref="OwnerColors"/>
    /// first, then generated ones, all different (see <see cref="GeneratedOwnerColor"/>), so no two primaries share a
    /// colour however many there are.
    /// </summary>
    public static string OwnerColor(int primaryIndex) =>
        primaryIndex < OwnerColors.Count ? OwnerColors[primaryIndex] : GeneratedOwnerColor(primaryIndex - OwnerColors.Count);

    /// <summary>
    /// The <paramref name="n"/>th colour after the twelve hand-picked ones. Each step turns the hue by the golden angle
    /// (≈137.5°, so consecutive primaries, which usually own neighbouring ranges, never get close hues) and takes the
    /// next of four lightness levels and, every four steps, the other of two saturations; hues never repeat exactly, so
    /// every colour differs, and no colour is grey (the unassigned colour) or too light or dark to tell on either theme.
    /// </summary>
    public static string GeneratedOwnerColor(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var hue = ((n * 137.50776405) + 15) % 360;
        double[] lightness = [0.45, 0.64, 0.32, 0.55];
        var saturation = (n / 4) % 2 == 0 ? 0.78 : 0.55;
        return Hex(hue, saturation, lightness[n % lightness.Length]);
    }

    /// <summary>HSL (hue in degrees, saturation and lightness 0–1) as <c>#rrggbb</c>.</summary>
    private static string Hex(double hue, double saturation, double lightness)
    {
        var chroma = (1 - Math.Abs((2 * lightness) - 1)) * saturation;
        var x = chroma * (1 - Math.Abs((hue / 60 % 2) - 1));
        var m = lightness - (chroma / 2);
        var (r, g, b) = (int)(hue / 60) switch
        {
            0 => (chroma, x, 0.0),
            1 => (x, chroma, 0.0),
            2 => (0.0, chroma, x),
            3 => (0.0, x, chroma),
            4 => (x, 0.0, chroma),
            _ => (chroma, 0.0, x),
        };
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"#{Byte(r):x2}{Byte(g):x2}{Byte(b):x2}");

        int Byte(double channel) => (int)Math.Round((channel + m) * 255);
    }

    /// <summary>
    /// Black or white, whichever stands out more from <paramref name="background"/> (a <c>#rrggbb</c> colour), for text
    /// on an owner's colour: white on the lighter owner colours falls well short of WCAG's 4.5:1.
    /// </summary>
    public static string TextColorOn(string background)
    {
        var luminance = RelativeLuminance(background);
        return (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.05) ? "#ffffff" : "#000000";
    }

    /// <summary>WCAG 2 relative luminance of a <c>#rrggbb</c> colour.</summary>
    private static double RelativeLuminance(string hex)
    {
        double Channel(int offset)
        {
            var c = Convert.ToInt32(hex.Substring(offset, 2), 16) / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        return (0.2126 * Channel(1)) + (0.7152 * Channel(3)) + (0.0722 * Channel(5));
    }

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
