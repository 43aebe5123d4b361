using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Tests;

public class SlotRangeSetTests
{
    [Theory]
    [InlineData("0-99,200,300-310", "0-99,200,300-310", 112)]
    [InlineData("5", "5", 1)]
    [InlineData("0", "0", 1)]
    [InlineData("16383", "16383", 1)]
    [InlineData("0-16383", "0-16383", 16384)]
    [InlineData("16383-16383", "16383", 1)]
    [InlineData("0-0", "0", 1)]
    [InlineData(" 1 , 3-4 ", "1,3-4", 3)]
    [InlineData(" 5 , 6-7 ", "5-7", 3)]
    [InlineData("300-310,0-99,200", "0-99,200,300-310", 112)]
    [InlineData("0-10,5-20", "0-20", 21)]
    [InlineData("0-9,10-19", "0-19", 20)]
    [InlineData("7,7,7", "7", 1)]
    [InlineData("007,00016383", "7,16383", 2)]
    public void Parse_returns_canonical_merged_ranges(string text, string canonical, int count)
    {
        var set = SlotRangeSet.Parse(text);

        Assert.Equal(canonical, set.ToString());
        Assert.Equal(count, set.SlotCount);
    }

    [Theory]
    [InlineData("16384", "slot 16384 is out of range (0-16383)")]
    [InlineData("0-16384", "slot 16384 is out of range (0-16383)")]
    [InlineData("99999", "slot 99999 is out of range (0-16383)")]
    [InlineData("0-99999999999999999999", "slot 99999999999999999999 is out of range (0-16383)")]
    [InlineData("1-", "incomplete range \"1-\": a slot number is missing")]
    [InlineData("5-", "incomplete range \"5-\": a slot number is missing")]
    [InlineData("-1", "incomplete range \"-1\": a slot number is missing")]
    [InlineData("-0", "incomplete range \"-0\": a slot number is missing")]
    [InlineData("9-3", "range 9-3 ends before it starts")]
    [InlineData("1,,2", "empty item in slot list \"1,,2\"")]
    [InlineData("1,", "empty item in slot list \"1,\"")]
    [InlineData(",1", "empty item in slot list \",1\"")]
    [InlineData("", "no slots given")]
    [InlineData("   ", "no slots given")]
    [InlineData("abc", "\"abc\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("+5", "\"+5\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("5 -9", "\"5 -9\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("5- 9", "\"5- 9\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("1 2", "\"1 2\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("1--2", "\"1--2\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("1-2-3", "\"1-2-3\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("-", "\"-\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("0x10", "\"0x10\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("1e3", "\"1e3\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("5.0", "\"5.0\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("0;1", "\"0;1\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("\u0663", "\"\u0663\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("\uFF15", "\"\uFF15\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("1-\u0663", "\"1-\u0663\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("\u00A05", "\"\u00A05\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("\t5", "\"\t5\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("0-99,200,x", "\"x\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    public void TryParse_rejects_bad_input_with_the_reason_quoting_the_bad_part(string text, string expectedError)
    {
        var ok = SlotRangeSet.TryParse(text, out var set, out var error);

        Assert.False(ok);
        Assert.Equal(expectedError, error);
        Assert.True(set.IsEmpty);
    }

    [Fact]
    public void A_very_long_number_is_out_of_range_and_quoted_shortened()
    {
        var ok = SlotRangeSet.TryParse(new string('9', 5_000), out _, out var error);

        Assert.False(ok);
        Assert.Equal($"slot {new string('9', 40)}… is out of range (0-16383)", error);
    }

    [Fact]
    public void A_long_run_of_leading_zeros_is_still_the_slot_it_spells()
    {
        Assert.Equal("5", SlotRangeSet.Parse(new string('0', 5_000) + "5").ToString());
    }

    [Fact]
    public void Parse_throws_FormatException_with_the_reason()
    {
        var ex = Assert.Throws<FormatException>(() => SlotRangeSet.Parse("0-20000"));
        Assert.Contains("20000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_merges_overlapping_and_adjacent_ranges_in_any_order()
    {
        var set = SlotRangeSet.From([new(50, 60), new(0, 10), new(11, 20), new(55, 70), new(100, 100)]);

        Assert.Equal([new SlotRange(0, 20), new SlotRange(50, 70), new SlotRange(100, 100)], set.Ranges.ToArray());
    }

    [Fact]
    public void Except_splits_ranges_around_the_removed_slots()
    {
        var set = SlotRangeSet.Parse("0-99,200-299").Except(SlotRangeSet.Parse("10-19,50,250-400"));

        Assert.Equal("0-9,20-49,51-99,200-249", set.ToString());
    }

    [Fact]
    public void Intersect_keeps_only_common_slots()
    {
        var set = SlotRangeSet.Parse("0-99,200-299,500").Intersect(SlotRangeSet.Parse("50-250,500-600"));

        Assert.Equal("50-99,200-250,500", set.ToString());
    }

    [Fact]
    public void Union_of_two_sets_is_canonical()
    {
        Assert.Equal("0-30", SlotRangeSet.Parse("0-10,21-30").Union(SlotRangeSet.Parse("11-20")).ToString());
    }

    [Fact]
    public void Contains_finds_slots_inside_ranges_only()
    {
        var set = SlotRangeSet.Parse("0-9,20-29,16383");

        Assert.True(set.Contains(0));
        Assert.True(set.Contains(25));
        Assert.True(set.Contains(16383));
        Assert.False(set.Contains(10));
        Assert.False(set.Contains(30));
    }

    [Fact]
    public void Slots_enumerates_every_slot_in_order()
    {
        Assert.Equal([1, 2, 3, 7], SlotRangeSet.Parse("7,1-3").Slots());
    }

    [Fact]
    public void Sets_with_the_same_slots_are_equal()
    {
        Assert.Equal(SlotRangeSet.Parse("0-5"), SlotRangeSet.Parse("0-2,3-5"));
        Assert.Equal(SlotRangeSet.Parse("0-5").GetHashCode(), SlotRangeSet.Parse("3-5,0-2").GetHashCode());
        Assert.NotEqual(SlotRangeSet.Parse("0-5"), SlotRangeSet.Parse("0-6"));
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, 16384)]
    [InlineData(10, 5)]
    public void SlotRange_refuses_invalid_bounds(int start, int end)
    {
        Assert.ThrowsAny<ArgumentException>(() => new SlotRange(start, end));
    }

    [Fact]
    public void SlotRange_formats_like_Valkey()
    {
        Assert.Equal("5", SlotRange.ForSlot(5).ToString());
        Assert.Equal("0-99", new SlotRange(0, 99).ToString());
    }
}
