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
    /// Parses <c>"0-99,200,300-310"</c>. Whitespace around items is allowed; empty items, reversed
    /// ranges and slots outside 0-16383 are not. The error message names the offending item.
    /// </summary>
    public static bool TryParse(string? text, out SlotRangeSet result, out string error)
    {
        result = Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "no slots given";
            return false;
        }

        var ranges = new List<SlotRange>();
        foreach (var rawItem in text.Split(','))
        {
            var item = rawItem.Trim();
            if (item.Length == 0)
            {
                error = $"empty item in slot list \"{Truncate(text)}\"";
                return false;
            }

            var dash = item.IndexOf('-', 1);
            if (dash < 0)
            {
                if (!TryParseSlot(item, out var slot, out error))
                {
                    return false;
                }

                ranges.Add(SlotRange.ForSlot(slot));
                continue;
            }

            if (!TryParseSlot(item[..dash], out var start, out error) || !TryParseSlot(item[(dash + 1)..], out var end, out error))
            {
                return false;
            }

            if (end < start)
            {
                error = $"range {start}-{end} ends before it starts";
                return false;
            }

            ranges.Add(new SlotRange(start, end));
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

    private static bool TryParseSlot(string text, out int slot, out string error)
    {
        text = text.Trim();
        slot = -1;
        if (text.Length == 0)
        {
            error = "incomplete range: a slot number is missing";
            return false;
        }

        if (!System.Numerics.BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            error = $"\"{Truncate(text)}\" is not a slot number";
            return false;
        }

        if (value < 0 || value > SlotRange.MaxSlot)
        {
            error = $"slot {Truncate(text)} is out of range (0-{SlotRange.MaxSlot})";
            return false;
        }

        slot = (int)value;
        error = string.Empty;
        return true;
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
