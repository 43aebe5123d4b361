using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Components.Tests;

/// <summary>Per-slot figures as one byte on a logarithmic scale, and the scale that changes only when it must.</summary>
public class SlotHeatQuantizerTests
{
    private const double Scale = 65_536;

    [Fact]
    public void Zero_is_byte_zero_and_reads_back_as_exactly_zero()
    {
        Assert.Equal(0, SlotHeatQuantizer.Quantize(0, Scale));
        Assert.Equal(0, SlotHeatQuantizer.Quantize(-5, Scale));
        Assert.Equal(0.0, SlotHeatQuantizer.Dequantize(0, Scale));
    }

    [Fact]
    public void Any_figure_above_zero_is_told_apart_from_zero()
    {
        Assert.Equal(1, SlotHeatQuantizer.Quantize(0.001, Scale));
    }

    [Fact]
    public void The_scale_is_byte_255_and_larger_figures_are_clamped_to_it()
    {
        Assert.Equal(255, SlotHeatQuantizer.Quantize(Scale, Scale));
        Assert.Equal(255, SlotHeatQuantizer.Quantize(Scale * 10, Scale));
        Assert.Equal(Scale, SlotHeatQuantizer.Dequantize(255, Scale), 6);
    }

    [Fact]
    public void Larger_figures_never_get_smaller_bytes()
    {
        var previous = (byte)0;
        for (var value = 0.0; value <= Scale * 2; value = value * 1.01 + 0.01)
        {
            var current = SlotHeatQuantizer.Quantize(value, Scale);
            Assert.True(current >= previous, $"{value} gave byte {current}, below {previous} of a smaller figure");
            previous = current;
        }
    }

    [Fact]
    public void Bytes_read_back_in_increasing_order()
    {
        for (var q = 1; q <= 255; q++)
        {
            Assert.True(SlotHeatQuantizer.Dequantize((byte)q, Scale) > SlotHeatQuantizer.Dequantize((byte)(q - 1), Scale));
        }
    }

    [Fact]
    public void Every_count_from_10_to_the_scale_reads_back_within_2_point_3_percent()
    {
        for (var value = 10; value <= Scale; value++)
        {
            var back = SlotHeatQuantizer.Dequantize(SlotHeatQuantizer.Quantize(value, Scale), Scale);
            Assert.True(Math.Abs(back - value) <= 0.023 * value, $"{value} read back as {back}");
        }
    }

    [Fact]
    public void Small_figures_read_back_within_2_point_3_percent_of_one_plus_the_figure()
    {
        // The steps are even in log(1 + figure): below about 10 the error is bounded relative to 1 + figure, not to
        // the figure. From 0.05: a figure below half a step is raised to byte 1 on purpose, so that it still shows.
        for (var value = 0.05; value <= Scale; value *= 1.003)
        {
            var back = SlotHeatQuantizer.Dequantize(SlotHeatQuantizer.Quantize(value, Scale), Scale);
            Assert.True(Math.Abs(back - value) <= 0.023 * (1 + value), $"{value} read back as {back}");
        }
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0.5, 1)]
    [InlineData(1_000, 1_024)]
    [InlineData(1_024, 1_024)]
    [InlineData(1_025, 2_048)]
    [InlineData(50_000, 65_536)]
    public void A_new_scale_is_the_next_power_of_two(double max, double scale)
    {
        Assert.Equal(scale, SlotHeatQuantizer.ScaleFor(max, current: 0));
    }

    [Theory]
    [InlineData(1_024)]
    [InlineData(700)]
    [InlineData(65)]
    public void The_current_scale_is_kept_while_the_maximum_stays_between_a_sixteenth_of_it_and_it(double max)
    {
        Assert.Equal(1_024, SlotHeatQuantizer.ScaleFor(max, current: 1_024));
    }

    [Theory]
    [InlineData(1_025, 2_048)]
    [InlineData(64, 64)]
    [InlineData(3, 4)]
    [InlineData(0, 1)]
    public void The_scale_changes_when_the_maximum_leaves_that_band(double max, double scale)
    {
        Assert.Equal(scale, SlotHeatQuantizer.ScaleFor(max, current: 1_024));
    }
}
