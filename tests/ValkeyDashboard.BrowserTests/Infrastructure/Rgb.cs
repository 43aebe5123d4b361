using System.Globalization;
using System.Text.RegularExpressions;

namespace ValkeyDashboard.BrowserTests.Infrastructure;

/// <summary>An opaque colour as the page draws or styles it, with the WCAG 2 figures the tests check.</summary>
public readonly partial record struct Rgb(int R, int G, int B)
{
    /// <summary>Reads <c>rgb(r, g, b)</c> or <c>rgba(r, g, b, a)</c> as computed styles write them (the alpha is not kept).</summary>
    public static Rgb Parse(string css)
    {
        var numbers = Numbers().Matches(css).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToArray();
        if (!css.StartsWith("rgb", StringComparison.Ordinal) || numbers.Length < 3)
        {
            throw new FormatException($"not a computed rgb() colour: \"{css}\"");
        }

        return new Rgb((int)Math.Round(numbers[0]), (int)Math.Round(numbers[1]), (int)Math.Round(numbers[2]));
    }

    /// <summary>WCAG 2 relative luminance: 0 for black, 1 for white.</summary>
    public double Luminance => (0.2126 * Linear(R)) + (0.7152 * Linear(G)) + (0.0722 * Linear(B));

    /// <summary>WCAG 2 contrast ratio with <paramref name="other"/>, from 1 (same) to 21 (black on white).</summary>
    public double ContrastWith(Rgb other)
    {
        var (light, dark) = Luminance >= other.Luminance ? (Luminance, other.Luminance) : (other.Luminance, Luminance);
        return (light + 0.05) / (dark + 0.05);
    }

    /// <summary>The largest difference of one channel: how far apart two colours are for "drawn in this colour".</summary>
    public int DistanceTo(Rgb other) => Math.Max(Math.Abs(R - other.R), Math.Max(Math.Abs(G - other.G), Math.Abs(B - other.B)));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"rgb({R}, {G}, {B})");

    private static double Linear(int channel)
    {
        var c = channel / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
    }

    [GeneratedRegex(@"\d+(\.\d+)?")]
    private static partial Regex Numbers();
}
