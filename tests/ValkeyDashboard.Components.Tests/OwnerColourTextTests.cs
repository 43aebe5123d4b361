using System.Globalization;

namespace ValkeyDashboard.Components.Tests;

/// <summary>Text on an owner's colour (a node card's range chips) is black or white, whichever reads at WCAG AA's 4.5:1.</summary>
public class OwnerColourTextTests
{
    public static TheoryData<string> OwnerColours => [.. DashboardTheme.OwnerColors, .. Enumerable.Range(12, 100).Select(DashboardTheme.OwnerColor)];

    [Theory]
    [MemberData(nameof(OwnerColours))]
    public void Text_on_every_owner_colour_has_a_contrast_of_at_least_4_5(string background)
    {
        var text = DashboardTheme.TextColorOn(background);

        Assert.True(text is "#000000" or "#ffffff", $"{text} is neither black nor white");
        Assert.True(Contrast(text, background) >= 4.5, $"{text} on {background} is {Contrast(text, background):0.00}:1");
    }

    [Theory]
    [InlineData("#f28e2b", "#000000")]
    [InlineData("#1b1537", "#ffffff")]
    [InlineData("#ffffff", "#000000")]
    [InlineData("#000000", "#ffffff")]
    public void The_text_colour_is_the_one_that_stands_out_more(string background, string expected) =>
        Assert.Equal(expected, DashboardTheme.TextColorOn(background));

    /// <summary>WCAG 2 contrast ratio, written out here rather than taken from the code under test.</summary>
    private static double Contrast(string a, string b)
    {
        var (la, lb) = (Luminance(a), Luminance(b));
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    private static double Luminance(string hex)
    {
        double Channel(int at)
        {
            var c = int.Parse(hex.AsSpan(at, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        return (0.2126 * Channel(1)) + (0.7152 * Channel(3)) + (0.0722 * Channel(5));
    }
}
