using System.Globalization;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// The owner palette at any size: the twelve hand-picked colours first, then generated ones; no two primaries of a
/// 1,000-primary cluster share a colour, consecutive primaries (who usually own neighbouring ranges) are far apart, and
/// none is the unassigned grey.
/// </summary>
public class OwnerPaletteTests
{
    private static readonly IReadOnlyList<string> Palette = [.. Enumerable.Range(0, 1000).Select(DashboardTheme.OwnerColor)];

    [Fact]
    public void The_first_twelve_primaries_keep_the_hand_picked_colours() =>
        Assert.Equal(DashboardTheme.OwnerColors, Palette.Take(12));

    [Fact]
    public void No_two_of_a_thousand_primaries_share_a_colour() =>
        Assert.Equal(Palette.Count, Palette.Distinct(StringComparer.OrdinalIgnoreCase).Count());

    [Fact]
    public void Consecutive_primaries_differ_clearly_in_colour()
    {
        // RGB distance: 0 for the same colour, 441 for black and white; below ~60 two swatches are hard to tell apart.
        // The closest hand-picked pair (the two blues, primaries 10 and 11) is 76 apart; the generated ones keep further.
        var closest = Enumerable.Range(1, Palette.Count - 1).Min(i => Distance(Palette[i - 1], Palette[i]));
        var closestGenerated = Enumerable.Range(13, Palette.Count - 13).Min(i => Distance(Palette[i - 1], Palette[i]));

        Assert.True(closest > 70, $"two consecutive owner colours are only {closest:0} apart");
        Assert.True(closestGenerated > 120, $"two consecutive generated owner colours are only {closestGenerated:0} apart");
    }

    [Fact]
    public void No_generated_colour_is_grey_like_unassigned_slots()
    {
        foreach (var color in Palette.Skip(12))
        {
            var (r, g, b) = Rgb(color);
            Assert.True(Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b)) >= 40, $"{color} is nearly grey");
        }
    }

    private static double Distance(string a, string b)
    {
        var (ar, ag, ab) = Rgb(a);
        var (br, bg, bb) = Rgb(b);
        return Math.Sqrt(Math.Pow(ar - br, 2) + Math.Pow(ag - bg, 2) + Math.Pow(ab - bb, 2));
    }

    private static (int R, int G, int B) Rgb(string hex) => (
        int.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        int.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        int.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
}
