using System.Buffers.Binary;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Model.HeatMap;

/// <summary>
/// What one browser needs to bring its heat map up to date, as a compact binary frame: per layer only the bytes
/// that differ from what this browser already has, whole (16 KiB), as changed cells, or as runs, whichever is
/// smallest. A frame stays within <see cref="FrameBudget"/>: the owner layer always goes (at most 16 KiB), then the
/// layer on screen, then the others (only needed for the hover figures) as they fit; what does not fit goes in a later
/// frame. (Only with thousands of owner runs, i.e. slots scattered one by one across primaries, does the layer on
/// screen wait for the next frame.)
/// </summary>
/// <remarks>
/// The layout is <see cref="HeatMapWire"/>'s; <c>wwwroot/js/slot-heatmap.js</c> reads it through <see cref="HeatMapContract"/>.
/// </remarks>
public sealed class HeatMapFrameEncoder
{
    /// <summary>Most bytes in one frame, so that with Blazor's own framing a refresh stays within 32 KiB.</summary>
    public const int FrameBudget = 32_000;

    /// <summary>The frame format's version (<see cref="HeatMapWire.Version"/>).</summary>
    public const byte Version = HeatMapWire.Version;

    private readonly byte[]?[] _sent = new byte[]?[SlotHeatLayers.LayerCount];
    private readonly double[] _sentScales = new double[SlotHeatLayers.LayerCount];
    private readonly bool[] _sentUnavailable = new bool[SlotHeatLayers.LayerCount];
    private readonly long[] _sentAt = new long[SlotHeatLayers.LayerCount];
    private long _frames;

    /// <summary>
    /// The frame that brings this browser from what it was sent before to <paramref name="layers"/>, or null
    /// when it already shows them. <paramref name="onScreen"/> is the layer the browser draws.
    /// </summary>
    public byte[]? Encode(SlotHeatLayers layers, HeatMapLayer onScreen)
    {
        _frames++;
        var order = new List<HeatMapLayer> { HeatMapLayer.Owner };
        if (onScreen != HeatMapLayer.Owner)
        {
            order.Add(onScreen);
        }

        // The other layers by how long ago they were last brought up to date, so none starves under load.
        order.AddRange(Enum.GetValues<HeatMapLayer>().Where(l => !order.Contains(l)).OrderBy(l => _sentAt[(int)l]));

        var sections = new List<(HeatMapLayer Layer, HeatMapSectionEncoding Encoding, byte[] Payload)>();
        var size = HeatMapWire.HeaderSize;
        foreach (var layer in order)
        {
            var section = Diff(layers, layer);
            if (section is null)
            {
                continue;
            }

            var sectionSize = HeatMapWire.SectionHeaderSize + section.Value.Payload.Length;
            if (layer != HeatMapLayer.Owner && size + sectionSize > FrameBudget)
            {
                continue;
            }

            size += sectionSize;
            sections.Add((layer, section.Value.Encoding, section.Value.Payload));
            Remember(layers, layer);
        }

        return sections.Count == 0 ? null : Write(layers, sections, size);
    }

    /// <summary>Forget what was sent (the browser lost its state, e.g. after a reconnect): the next frame is whole.</summary>
    public void Reset()
    {
        Array.Clear(_sent);
        Array.Clear(_sentScales);
        Array.Clear(_sentUnavailable);
    }

    private (HeatMapSectionEncoding Encoding, byte[] Payload)? Diff(SlotHeatLayers layers, HeatMapLayer layer)
    {
        var index = (int)layer;
        if (!layers.Has(layer))
        {
            return _sentUnavailable[index] ? null : (HeatMapSectionEncoding.Unavailable, []);
        }

        var now = layers[layer];
        var before = _sent[index];
        if (before is not null && _sentScales[index] == layers.ScaleOf(layer) && now.SequenceEqual(before))
        {
            return null;
        }

        var best = (Encoding: HeatMapSectionEncoding.Full, Payload: now.ToArray());
        var runs = RunsOf(now);
        if (runs is not null && runs.Length < best.Payload.Length)
        {
            best = (HeatMapSectionEncoding.Runs, runs);
        }

        if (before is not null && _sentScales[index] == layers.ScaleOf(layer))
        {
            var changes = ChangesOf(before, now, best.Payload.Length);
            if (changes is not null)
            {
                best = (HeatMapSectionEncoding.Changes, changes);
            }
        }

        return best;
    }

    private void Remember(SlotHeatLayers layers, HeatMapLayer layer)
    {
        var index = (int)layer;
        _sentAt[index] = _frames;
        if (!layers.Has(layer))
        {
            _sent[index] = null;
            _sentUnavailable[index] = true;
            return;
        }

        _sentUnavailable[index] = false;
        _sentScales[index] = layers.ScaleOf(layer);
        _sent[index] = layers[layer].ToArray();
    }

    /// <summary>Changed cells as <c>u16 count, slots, values</c>, or null when that is not smaller than <paramref name="limit"/>.</summary>
    private static byte[]? ChangesOf(byte[] before, ReadOnlySpan<byte> now, int limit)
    {
        const int CellSize = HeatMapWire.SlotSize + sizeof(byte);
        var changed = new List<int>();
        for (var slot = 0; slot < now.Length; slot++)
        {
            if (before[slot] != now[slot])
            {
                changed.Add(slot);
                if (HeatMapWire.CountSize + changed.Count * CellSize >= limit)
                {
                    return null;
                }
            }
        }

        var payload = new byte[HeatMapWire.CountSize + changed.Count * CellSize];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, (ushort)changed.Count);
        var values = HeatMapWire.CountSize + changed.Count * HeatMapWire.SlotSize;
        for (var i = 0; i < changed.Count; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(HeatMapWire.CountSize + i * HeatMapWire.SlotSize), (ushort)changed[i]);
            payload[values + i] = now[changed[i]];
        }

        return payload;
    }

    /// <summary>The layer as runs of equal bytes (<c>u16 count, (u16 length, u8 value)…</c>), or null when that is not smaller than the whole layer.</summary>
    private static byte[]? RunsOf(ReadOnlySpan<byte> now)
    {
        var runs = new List<(int Length, byte Value)>();
        var start = 0;
        for (var slot = 1; slot <= now.Length; slot++)
        {
            if (slot == now.Length || now[slot] != now[start])
            {
                runs.Add((slot - start, now[start]));
                start = slot;
                if (HeatMapWire.CountSize + runs.Count * HeatMapWire.RunSize >= now.Length)
                {
                    return null;
                }
            }
        }

        var payload = new byte[HeatMapWire.CountSize + runs.Count * HeatMapWire.RunSize];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, (ushort)runs.Count);
        for (var i = 0; i < runs.Count; i++)
        {
            // A run covers at most 16,384 slots; 16,384 itself does not fit a u16, so it is written as 0.
            var run = HeatMapWire.CountSize + i * HeatMapWire.RunSize;
            BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(run), (ushort)(runs[i].Length % SlotRange.SlotCount));
            payload[run + HeatMapWire.RunValueOffset] = runs[i].Value;
        }

        return payload;
    }

    private static byte[] Write(SlotHeatLayers layers, List<(HeatMapLayer Layer, HeatMapSectionEncoding Encoding, byte[] Payload)> sections, int size)
    {
        var frame = new byte[size];
        frame[HeatMapWire.VersionOffset] = Version;
        frame[HeatMapWire.SectionCountOffset] = (byte)sections.Count;
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(HeatMapWire.SnapshotVersionOffset), unchecked((uint)layers.Version));
        var offset = HeatMapWire.HeaderSize;
        foreach (var (layer, encoding, payload) in sections)
        {
            frame[offset + HeatMapWire.LayerOffset] = (byte)layer;
            frame[offset + HeatMapWire.EncodingOffset] = (byte)encoding;
            BinaryPrimitives.WriteDoubleLittleEndian(frame.AsSpan(offset + HeatMapWire.ScaleOffset), layers.ScaleOf(layer));
            BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(offset + HeatMapWire.LengthOffset), (uint)payload.Length);
            payload.CopyTo(frame, offset + HeatMapWire.SectionHeaderSize);
            offset += HeatMapWire.SectionHeaderSize + payload.Length;
        }

        return frame;
    }
}
