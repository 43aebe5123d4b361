using System.Collections;
using System.Collections.Immutable;
using System.Globalization;

namespace ValkeyDashboard.Cluster.Model;

/// <summary>
/// A canonical set of hash slots: sorted, non-overlapping, adjacent ranges merged.
/// Its text form is the one the API speaks, e.g. <c>"0-99,200,300-310"</c>.
/// </summary>
public sealed class SlotRangeSet : IEquatable<SlotRangeSet>, IEnumerable<SlotRange>
{
    public static readonly SlotRangeSet Empty = new([]);

    private SlotRangeSet(ImmutableArray<SlotRange> ranges)
    {
        Ranges = ranges;
        SlotCount = ranges.Sum(r => r.Count);
    }

    /// <summary>The merged ranges, in ascending order.</summary>
    public ImmutableArray<SlotRange> Ranges { get; }

    /// <summary>How many slots the set holds.</summary>
    public int SlotCount { get; }

    public bool IsEmpty => Ranges.IsEmpty;

    /// <summary>Builds a canonical set from ranges in any order, overlapping or adjacent.</summary>
    public static SlotRangeSet From(IEnumerable<SlotRange> ranges)
    {
        var sorted = ranges.Order().ToList();
        var merged = ImmutableArray.CreateBuilder<SlotRange>(sorted.Count);
        foreach (var range in sorted)
        {
            if (merged.Count > 0 && range.Start <= merged[^1].End + 1)
            {
                var last = merged[^1];
                merged[^1] = new SlotRange(last.Start, Math.Max(last.End, range.End));
            }
            else
            {
                merged.Add(range);
            }
        }

        return merged.Count == 0 ? Empty : new SlotRangeSet(merged.ToImmutable());
    }

    /// <summary>Builds a canonical set from single slot numbers.</summary>
    public static SlotRangeSet FromSlots(IEnumerable<int> slots) => From(slots.Select(SlotRange.ForSlot));

    /// <summary>
    /// Parses a slot list: <c>"0-99,200,300-310"</c>. The grammar, and nothing else: items separated by commas, each
    /// item a slot or a range <c>a-b</c> (a &lt;= b), a slot being ASCII digits 0-9 for a number from 0 to 16383, and
    /// spaces allowed around an item (not inside it). Signs, spaces inside a range, empty items and any other
    /// character are refused; the error quotes the offending item.
    /// </summary>
    public static bool TryParse(string? text, out SlotRangeSet result, out string error)
    {
        result = Empty;
        if (text is null || text.Trim(' ').Length == 0)
        {
            error = "no slots given";
            return false;
        }

        var ranges = new List<SlotRange>();
        foreach (var rawItem in text.Split(','))
        {
            var item = rawItem.Trim(' ');
            if (item.Length == 0)
            {
                error = $"empty item in slot list \"{Truncate(text)}\"";
                return false;
            }

            if (!TryParseItem(item, out var range, out error))
            {
                return false;
            }

            ranges.Add(range);
        }

        result = From(ranges);
        error = string.Empty;
        return true;
    }

    /// <summary>Parses like <see cref="TryParse"/> and throws <see cref="FormatException"/> with the reason.</summary>
    public static SlotRangeSet Parse(string text) =>
        TryParse(text, out var result, out var error) ? result : throw new FormatException(error);

    public bool Contains(int slot)
    {
        // Binary search over the sorted ranges.
        int lo = 0, hi = Ranges.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var range = Ranges[mid];
            if (slot < range.Start)
            {
                hi = mid - 1;
            }
            else if (slot > range.End)
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    public SlotRangeSet Union(SlotRangeSet other) => From(Ranges.Concat(other.Ranges));

    public SlotRangeSet Intersect(SlotRangeSet other)
    {
        var result = new List<SlotRange>();
        int i = 0, j = 0;
        while (i < Ranges.Length && j < other.Ranges.Length)
        {
            var a = Ranges[i];
            var b = other.Ranges[j];
            var start = Math.Max(a.Start, b.Start);
            var end = Math.Min(a.End, b.End);
            if (start <= end)
            {
                result.Add(new SlotRange(start, end));
            }

            if (a.End < b.End)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return From(result);
    }

    public SlotRangeSet Except(SlotRangeSet other)
    {
        var result = new List<SlotRange>();
        foreach (var range in Ranges)
        {
            var start = range.Start;
            foreach (var cut in other.Ranges)
            {
                if (cut.End < start || cut.Start > range.End)
                {
                    continue;
                }

                if (cut.Start > start)
                {
                    result.Add(new SlotRange(start, cut.Start - 1));
                }

                start = cut.End + 1;
                if (start > range.End)
                {
                    break;
                }
            }

            if (start <= range.End)
            {
                result.Add(new SlotRange(start, range.End));
            }
        }

        return From(result);
    }

    /// <summary>Every slot number in ascending order.</summary>
    public IEnumerable<int> Slots() => Ranges.SelectMany(r => Enumerable.Range(r.Start, r.Count));

    public override string ToString() => string.Join(',', Ranges);

    public bool Equals(SlotRangeSet? other) => other is not null && Ranges.SequenceEqual(other.Ranges);

    public override bool Equals(object? obj) => Equals(obj as SlotRangeSet);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var range in Ranges)
        {
            hash.Add(range);
        }

        return hash.ToHashCode();
    }

    public IEnumerator<SlotRange> GetEnumerator() => ((IEnumerable<SlotRange>)Ranges).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One item of a slot list, already without its surrounding spaces: <c>digits</c> or <c>digits-digits</c>.</summary>
    private static bool TryParseItem(string item, out SlotRange range, out string error)
    {
        range = default;
        var dash = item.IndexOf('-', StringComparison.Ordinal);
        var first = dash < 0 ? item : item[..dash];
        var second = dash < 0 ? null : item[(dash + 1)..];
        if (!IsDigits(first) || (second is not null && !IsDigits(second)))
        {
            // "5-" and "-5" lack a number; everything else (signs, inner spaces, letters, other digits, a second dash) is not a slot list.
            error = second is not null && (first.Length == 0 || second.Length == 0) && IsDigits(first + second)
                ? $"incomplete range \"{Truncate(item)}\": a slot number is missing"
                : $"\"{Truncate(item)}\" is not a slot or a range of slots (digits 0-9, or a-b)";
            return false;
        }

        if (!TryParseSlot(first, out var start, out error))
        {
            return false;
        }

        if (second is null)
        {
            range = SlotRange.ForSlot(start);
            return true;
        }

        if (!TryParseSlot(second, out var end, out error))
        {
            return false;
        }

        if (end < start)
        {
            error = $"range {start}-{end} ends before it starts";
            return false;
        }

        range = new SlotRange(start, end);
        return true;
    }

    /// <summary>Non-empty and ASCII digits only (char.IsDigit would take other scripts' digits too).</summary>
    private static bool IsDigits(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    /// <summary>A slot number from digits that <see cref="IsDigits"/> accepted.</summary>
    private static bool TryParseSlot(string digits, out int slot, out string error)
    {
        var significant = digits.TrimStart('0');
        if (significant.Length > 5 || (significant.Length > 0 && int.Parse(significant, NumberStyles.None, CultureInfo.InvariantCulture) > SlotRange.MaxSlot))
        {
            slot = -1;
            error = $"slot {Truncate(digits)} is out of range (0-{SlotRange.MaxSlot})";
            return false;
        }

        slot = significant.Length == 0 ? 0 : int.Parse(significant, NumberStyles.None, CultureInfo.InvariantCulture);
        error = string.Empty;
        return true;
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
