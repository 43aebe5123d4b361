namespace ValkeyDashboard.Model.HeatMap;

/// <summary>
/// Turns a per-slot figure into one byte on a logarithmic scale: 0 is exactly 0, 255 is the scale, and each
/// step is a constant ratio of 1 + the figure (for a scale of 65,536 about 4.4 %, so a figure of 10 or more reads back
/// within about 2.2 %).
/// Logarithmic because slots differ by orders of magnitude (one hot slot beside thousands of quiet ones); the
/// browser maps the bytes to colours linearly or logarithmically as the user chooses.
/// </summary>
public static class SlotHeatQuantizer
{
    /// <summary>The byte that stands for the scale itself; 1 to this are the steps above zero.</summary>
    public const byte MaxLevel = byte.MaxValue;

    /// <summary>
    /// The scale for a layer whose largest value is <paramref name="max"/>: the next power of two, or
    /// <paramref name="current"/> while <paramref name="max"/> stays between a sixteenth of it and it.
    /// </summary>
    public static double ScaleFor(double max, double current)
    {
        if (current >= 1 && max <= current && max > current / 16)
        {
            return current;
        }

        return Math.Max(1, Math.Pow(2, Math.Ceiling(Math.Log2(Math.Max(max, 1)))));
    }

    public static byte Quantize(double value, double scale)
    {
        if (value <= 0)
        {
            return 0;
        }

        var step = Math.Round(MaxLevel * Math.Log(1 + value) / Math.Log(1 + scale));
        return (byte)Math.Clamp(step, 1, MaxLevel);
    }

    /// <summary>The figure a byte stands for (the browser does the same in JavaScript).</summary>
    public static double Dequantize(byte value, double scale) =>
        value == 0 ? 0 : Math.Exp(value / (double)MaxLevel * Math.Log(1 + scale)) - 1;
}
