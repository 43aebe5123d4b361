using System.Buffers.Binary;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Components.Tests;

/// <summary>The section encodings of a heat map frame, as documented on <see cref="HeatMapSectionEncoding"/> (written out again here on purpose).</summary>
internal enum FrameEncoding : byte
{
    Full = 0,
    Changes = 1,
    Runs = 2,
    Unavailable = 3,
}

/// <summary>One layer's section of a frame.</summary>
internal sealed record FrameSection(HeatMapLayer Layer, FrameEncoding Encoding, double Scale, byte[] Payload);

/// <summary>
/// A heat map frame read independently of the encoder, from the layout documented on
/// <see cref="HeatMapWire"/> (what <c>wwwroot/js/slot-heatmap.js</c> reads through <see cref="HeatMapContract"/>): <c>u8 version, u8 sectionCount,
/// u32 snapshotVersion</c>, then per section <c>u8 layer, u8 encoding, f64 scale, u32 length, payload</c>.
/// </summary>
internal sealed record HeatMapFrame(byte Version, uint SnapshotVersion, IReadOnlyList<FrameSection> Sections)
{
    public static HeatMapFrame Decode(byte[] frame)
    {
        var sections = new List<FrameSection>();
        var offset = 6;
        for (var i = 0; i < frame[1]; i++)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(offset + 10));
            sections.Add(new FrameSection(
                (HeatMapLayer)frame[offset],
                (FrameEncoding)frame[offset + 1],
                BinaryPrimitives.ReadDoubleLittleEndian(frame.AsSpan(offset + 2)),
                frame.AsSpan(offset + 14, length).ToArray()));
            offset += 14 + length;
        }

        Assert.Equal(frame.Length, offset);
        return new HeatMapFrame(frame[0], BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(2)), sections);
    }

    public FrameSection? SectionOf(HeatMapLayer layer) => Sections.SingleOrDefault(s => s.Layer == layer);
}

/// <summary>What a browser holds after applying frames: every layer's bytes, scale and whether it is reported.</summary>
internal sealed class BrowserHeatMap
{
    public byte[][] Layers { get; } = [.. Enumerable.Range(0, SlotHeatLayers.LayerCount).Select(_ => new byte[SlotRange.SlotCount])];

    public double[] Scales { get; } = new double[SlotHeatLayers.LayerCount];

    public bool[] Available { get; } = new bool[SlotHeatLayers.LayerCount];

    public byte[] this[HeatMapLayer layer] => Layers[(int)layer];

    public void Apply(byte[] frame)
    {
        var decoded = HeatMapFrame.Decode(frame);
        Assert.Equal(HeatMapFrameEncoder.Version, decoded.Version);
        foreach (var section in decoded.Sections)
        {
            Apply(section);
        }
    }

    private void Apply(FrameSection section)
    {
        var target = this[section.Layer];
        var payload = section.Payload;
        Scales[(int)section.Layer] = section.Scale;
        Available[(int)section.Layer] = section.Encoding != FrameEncoding.Unavailable;
        switch (section.Encoding)
        {
            case FrameEncoding.Full:
                Assert.Equal(SlotRange.SlotCount, payload.Length);
                payload.CopyTo(target, 0);
                break;
            case FrameEncoding.Changes:
                var changes = BinaryPrimitives.ReadUInt16LittleEndian(payload);
                Assert.Equal(2 + changes * 3, payload.Length);
                for (var i = 0; i < changes; i++)
                {
                    target[BinaryPrimitives.ReadUInt16LittleEndian(payload.AsSpan(2 + i * 2))] = payload[2 + changes * 2 + i];
                }

                break;
            case FrameEncoding.Runs:
                var runs = BinaryPrimitives.ReadUInt16LittleEndian(payload);
                Assert.Equal(2 + runs * 3, payload.Length);
                var slot = 0;
                for (var i = 0; i < runs; i++)
                {
                    // A run of all 16,384 slots is written as 0.
                    var run = BinaryPrimitives.ReadUInt16LittleEndian(payload.AsSpan(2 + i * 3)) is var n and not 0 ? n : SlotRange.SlotCount;
                    Array.Fill(target, payload[2 + i * 3 + 2], slot, run);
                    slot += run;
                }

                Assert.Equal(SlotRange.SlotCount, slot);
                break;
            case FrameEncoding.Unavailable:
                Assert.Empty(payload);
                Array.Clear(target);
                break;
            default:
                Assert.Fail($"unknown encoding {section.Encoding} for layer {section.Layer}");
                break;
        }
    }
}
