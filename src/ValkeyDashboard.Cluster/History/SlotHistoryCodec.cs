using System.Buffers.Binary;
using System.Collections.Immutable;
using System.IO.Compression;
using System.Text;

namespace ValkeyDashboard.Cluster.History;

/// <summary>
/// Writes a history point compactly and reads it back exactly (pure). Owners are runs (a few ranges per primary). The
/// keys go as they are or, where that packs tighter, as the byte-wise difference (mod 256) from the point before (a
/// slot whose count did not change is a 0). The load layers (CPU, network in, network out), which under a load jump at
/// random from point to point, go through <see cref="SlotLoadCoder"/>, which codes each slot's figure given the one
/// before it in the same slot (network out given network in, network in given CPU) and needs no other point. A
/// keyframe uses no point before. Brotli then packs the whole.
/// </summary>
/// <remarks>
/// Before compression: <c>u8 format, u8 flags (1 = keyframe), u8 present layers (bit per layer), u8 delta layers,
/// u8 owner count, per owner (u8 length, UTF-8 id, u8 length, UTF-8 endpoint), per present figure layer f64 scale,
/// u16 run count, runs (u16 length, 0 = all 16,384; u8 owner), the keys layer's 16,384 bytes if present, then the
/// present load layers as <see cref="SlotLoadCoder"/> writes them</c>. Format 1, where every present figure layer was
/// 16,384 bytes as they are or as differences, is still read.
/// </remarks>
public static class SlotHistoryCodec
{
    public const byte Format = 2;

    /// <summary>Format 1: every present figure layer 16,384 bytes, as they are or as differences (points of earlier versions).</summary>
    private const byte FormatWithoutLoadCoder = 1;

    private const int KeysLayer = 1;

    private const int Slots = 16_384;

    /// <summary>
    /// Brotli quality the store writes with. A loaded cluster's load layers are noise-like bytes no higher quality packs
    /// tighter: 4 to 9 land within a few per cent of each other, 4 smallest and cheapest (about 1 ms a point against
    /// about 130 ms at 9; the history benchmark, docs/benchmarks.md).
    /// </summary>
    public const int DefaultQuality = 4;

    /// <summary>Brotli's window (log2 bytes): the whole point (at most ~66 KB) fits it.</summary>
    private const int Window = 17;

    /// <summary>
    /// Encodes <paramref name="point"/>, as a delta against <paramref name="previous"/> unless that is null (a keyframe),
    /// packed by Brotli at <paramref name="quality"/> (0-11; the decoder reads any).
    /// </summary>
    public static byte[] Encode(SlotHistoryPoint point, SlotHistoryPoint? previous, int quality = DefaultQuality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 11);
        var raw = new MemoryStream();
        byte present = 0;
        byte delta = 0;
        for (var layer = 1; layer < SlotHistoryPoint.LayerCount; layer++)
        {
            if (point.Layers[layer] is not null)
            {
                present |= (byte)(1 << layer);
            }
        }

        var keys = point.Layers[KeysLayer];
        if (keys is not null && previous?.Layers[KeysLayer] is { } keysBefore)
        {
            // Keys change little from point to point: mostly zeros as differences.
            var difference = Difference(keys, keysBefore, sign: -1);
            if (Entropy(difference) < Entropy(keys))
            {
                delta |= 1 << KeysLayer;
                keys = difference;
            }
        }

        raw.WriteByte(Format);
        raw.WriteByte(previous is null ? (byte)1 : (byte)0);
        raw.WriteByte(present);
        raw.WriteByte(delta);
        raw.WriteByte(checked((byte)point.Owners.Length));
        foreach (var owner in point.Owners)
        {
            WriteText(raw, owner.Id);
            WriteText(raw, owner.Endpoint);
        }

        Span<byte> number = stackalloc byte[8];
        for (var layer = 1; layer < SlotHistoryPoint.LayerCount; layer++)
        {
            if (point.Layers[layer] is not null)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(number, point.Scales[layer]);
                raw.Write(number);
            }
        }

        WriteRuns(raw, point.Layers[SlotHistoryPoint.OwnerLayer] ?? throw new ArgumentException("a history point needs its owner layer", nameof(point)));
        if (keys is not null)
        {
            raw.Write(keys);
        }

        SlotLoadCoder.Encode(LoadLayers(point), raw);
        var input = raw.GetBuffer().AsSpan(0, (int)raw.Length);
        var output = new byte[BrotliEncoder.GetMaxCompressedLength(input.Length)];
        if (!BrotliEncoder.TryCompress(input, output, out var length, quality, Window))
        {
            throw new InvalidOperationException("Brotli could not compress a history point");
        }

        return output.AsSpan(0, length).ToArray();
    }

    /// <summary>Whether <paramref name="payload"/> is a keyframe (decodes without the point before).</summary>
    public static bool IsKeyframe(byte[] payload) => (Unpack(payload)[1] & 1) != 0;

    /// <summary>
    /// Decodes a point written at <paramref name="at"/>; a delta needs the point before it. Without
    /// <paramref name="load"/>, the CPU and network layers are left out (null): a point only to decode the next one from
    /// (which needs only its owners and keys), at a fraction of the cost.
    /// </summary>
    public static SlotHistoryPoint Decode(byte[] payload, DateTimeOffset at, SlotHistoryPoint? previous, bool load = true)
    {
        var raw = Unpack(payload);
        if (raw[0] is not (Format or FormatWithoutLoadCoder))
        {
            throw new InvalidDataException($"slot history format {raw[0]} is not known (expected {FormatWithoutLoadCoder} or {Format})");
        }

        var keyframe = (raw[1] & 1) != 0;
        var present = raw[2];
        var delta = raw[3];
        var offset = 4;
        if (!keyframe && previous is null)
        {
            throw new InvalidDataException("a slot history delta needs the point before it");
        }

        var ownerCount = raw[offset++];
        var owners = ImmutableArray.CreateBuilder<SlotHistoryOwner>(ownerCount);
        for (var i = 0; i < ownerCount; i++)
        {
            var id = ReadText(raw, ref offset);
            owners.Add(new SlotHistoryOwner(id, ReadText(raw, ref offset)));
        }

        var scales = new double[SlotHistoryPoint.LayerCount];
        for (var layer = 1; layer < SlotHistoryPoint.LayerCount; layer++)
        {
            if ((present & (1 << layer)) != 0)
            {
                scales[layer] = BinaryPrimitives.ReadDoubleLittleEndian(raw.AsSpan(offset));
                offset += 8;
            }
        }

        var layers = new byte[]?[SlotHistoryPoint.LayerCount];
        layers[SlotHistoryPoint.OwnerLayer] = ReadRuns(raw, ref offset);
        var loadCoded = raw[0] != FormatWithoutLoadCoder;
        var skipLoad = loadCoded && !load;
        for (var layer = 1; layer < SlotHistoryPoint.LayerCount; layer++)
        {
            if ((present & (1 << layer)) == 0)
            {
                continue;
            }

            if (loadCoded && layer >= SlotHistoryPoint.FirstLoadLayer)
            {
                layers[layer] = skipLoad ? null : new byte[Slots];
                continue;
            }

            var bytes = raw.AsSpan(offset, Slots).ToArray();
            offset += Slots;
            if ((delta & (1 << layer)) != 0)
            {
                var before = previous?.Layers[layer] ?? throw new InvalidDataException($"slot history delta of layer {layer} has no layer before it");
                bytes = Difference(bytes, before, sign: 1);
            }

            layers[layer] = bytes;
        }

        if (loadCoded && !skipLoad)
        {
            // Fills the load layers' arrays in place.
            SlotLoadCoder.Decode(layers[SlotHistoryPoint.FirstLoadLayer..], raw.AsSpan(offset));
        }

        return new SlotHistoryPoint(at, owners.MoveToImmutable(), [.. layers], [.. scales]);
    }

    /// <summary><paramref name="now"/> minus (or, with a positive <paramref name="sign"/>, plus) <paramref name="before"/>, slot by slot, mod 256.</summary>
    private static byte[] Difference(byte[] now, byte[] before, int sign)
    {
        var result = new byte[Slots];
        for (var slot = 0; slot < Slots; slot++)
        {
            result[slot] = unchecked((byte)(now[slot] + sign * before[slot]));
        }

        return result;
    }

    /// <summary>The load layers of <paramref name="point"/> (CPU, network in, network out), null where absent.</summary>
    private static byte[]?[] LoadLayers(SlotHistoryPoint point) => [.. point.Layers[SlotHistoryPoint.FirstLoadLayer..]];

    /// <summary>Bits per byte of <paramref name="bytes"/> by their frequencies: roughly what an entropy coder makes of them.</summary>
    private static double Entropy(byte[] bytes)
    {
        Span<int> counts = stackalloc int[256];
        foreach (var b in bytes)
        {
            counts[b]++;
        }

        var bits = 0.0;
        foreach (var count in counts)
        {
            if (count > 0)
            {
                var p = count / (double)bytes.Length;
                bits -= p * Math.Log2(p);
            }
        }

        return bits;
    }

    private static byte[] Unpack(byte[] payload)
    {
        using var input = new MemoryStream(payload);
        using var brotli = new BrotliStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        brotli.CopyTo(output);
        return output.ToArray();
    }

    private static void WriteText(MemoryStream raw, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        raw.WriteByte(checked((byte)bytes.Length));
        raw.Write(bytes);
    }

    private static string ReadText(byte[] raw, ref int offset)
    {
        var length = raw[offset++];
        var text = Encoding.UTF8.GetString(raw, offset, length);
        offset += length;
        return text;
    }

    private static void WriteRuns(MemoryStream raw, byte[] owners)
    {
        var runs = new List<(int Length, byte Value)>();
        var start = 0;
        for (var slot = 1; slot <= Slots; slot++)
        {
            if (slot == Slots || owners[slot] != owners[start])
            {
                runs.Add((slot - start, owners[start]));
                start = slot;
            }
        }

        Span<byte> number = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(number, (ushort)runs.Count);
        raw.Write(number);
        foreach (var (length, value) in runs)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(number, (ushort)(length % Slots));
            raw.Write(number);
            raw.WriteByte(value);
        }
    }

    private static byte[] ReadRuns(byte[] raw, ref int offset)
    {
        var owners = new byte[Slots];
        var count = BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(offset));
        offset += 2;
        var slot = 0;
        for (var r = 0; r < count; r++)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(offset));
            var run = length == 0 ? Slots : length;
            owners.AsSpan(slot, run).Fill(raw[offset + 2]);
            slot += run;
            offset += 3;
        }

        return owners;
    }
}
