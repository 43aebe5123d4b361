namespace ValkeyDashboard.Model.HeatMap;

/// <summary>How a frame section's payload is written. Wire values: the browser compares them by number.</summary>
public enum HeatMapSectionEncoding : byte
{
    /// <summary>All 16,384 bytes of the layer.</summary>
    Full = 0,

    /// <summary>Changed cells: <c>u16 count, count × u16 slot, count × u8 value</c>.</summary>
    Changes = 1,

    /// <summary>Runs of equal bytes: <c>u16 count, count × (u16 length, u8 value)</c>; a run of all slots is written as length 0.</summary>
    Runs = 2,

    /// <summary>The cluster does not report the layer (slot statistics off): no payload.</summary>
    Unavailable = 3,
}

/// <summary>
/// The heat map frame format, written down once: <see cref="HeatMapFrameEncoder"/> writes frames with these numbers,
/// and <c>wwwroot/js/slot-heatmap.js</c> reads them from the <see cref="HeatMapContract"/> it is handed when it starts,
/// so the browser holds no copy that could drift.
/// </summary>
/// <remarks>
/// Little endian. A frame is <c>u8 version, u8 sectionCount, u32 snapshotVersion</c>, then per section
/// <c>u8 layer, u8 encoding, f64 scale, u32 length, payload</c> (see <see cref="HeatMapSectionEncoding"/>).
/// </remarks>
public static class HeatMapWire
{
    /// <summary>The frame format's version, the frame's first byte; the browser refuses any other.</summary>
    public const byte Version = 1;

    public const int VersionOffset = 0;

    public const int SectionCountOffset = 1;

    public const int SnapshotVersionOffset = 2;

    /// <summary>Bytes before the first section.</summary>
    public const int HeaderSize = 6;

    public const int LayerOffset = 0;

    public const int EncodingOffset = 1;

    public const int ScaleOffset = 2;

    public const int LengthOffset = 10;

    /// <summary>Bytes of a section before its payload.</summary>
    public const int SectionHeaderSize = 14;

    /// <summary>The <c>u16</c> count that starts a changes or runs payload.</summary>
    public const int CountSize = sizeof(ushort);

    /// <summary>A changed cell's slot number.</summary>
    public const int SlotSize = sizeof(ushort);

    /// <summary>One run: <c>u16 length, u8 value</c>.</summary>
    public const int RunSize = sizeof(ushort) + sizeof(byte);

    /// <summary>Where a run's value is, from the start of the run.</summary>
    public const int RunValueOffset = sizeof(ushort);

    /// <summary>The owner-layer value of a slot no primary owns.</summary>
    public const byte Unassigned = 255;
}
