namespace ValkeyDashboard.Cluster.Model;

/// <summary>An inclusive range of hash slots, <c>Start</c> through <c>End</c>.</summary>
public readonly record struct SlotRange : IComparable<SlotRange>
{
    /// <summary>Number of hash slots in a Valkey cluster.</summary>
    public const int SlotCount = 16384;

    /// <summary>Highest valid slot number.</summary>
    public const int MaxSlot = SlotCount - 1;

    /// <summary>Every slot, 0-16383.</summary>
    public static SlotRange All => new(0, MaxSlot);

    public SlotRange(int start, int end)
    {
        if (start is < 0 or > MaxSlot)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"slot {start} is out of range (0-{MaxSlot})");
        }

        if (end is < 0 or > MaxSlot)
        {
            throw new ArgumentOutOfRangeException(nameof(end), end, $"slot {end} is out of range (0-{MaxSlot})");
        }

        if (end < start)
        {
            throw new ArgumentException($"range {start}-{end} ends before it starts", nameof(end));
        }

        Start = start;
        End = end;
    }

    public int Start { get; }

    public int End { get; }

    public int Count => End - Start + 1;

    public static SlotRange ForSlot(int slot) => new(slot, slot);

    public bool Contains(int slot) => slot >= Start && slot <= End;

    public bool Overlaps(SlotRange other) => Start <= other.End && other.Start <= End;

    public static bool operator <(SlotRange left, SlotRange right) => left.CompareTo(right) < 0;

    public static bool operator <=(SlotRange left, SlotRange right) => left.CompareTo(right) <= 0;

    public static bool operator >(SlotRange left, SlotRange right) => left.CompareTo(right) > 0;

    public static bool operator >=(SlotRange left, SlotRange right) => left.CompareTo(right) >= 0;

    public int CompareTo(SlotRange other) => Start != other.Start ? Start.CompareTo(other.Start) : End.CompareTo(other.End);

    /// <summary>Formats as Valkey does in replies and as the API accepts: <c>"5"</c> or <c>"0-99"</c>.</summary>
    public override string ToString() => Start == End ? Start.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Start}-{End}";
}
