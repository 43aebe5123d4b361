using System.Collections.Immutable;
using ValkeyDashboard.Cluster.History;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>History points are written compactly and read back byte for byte: keyframes, deltas, missing layers, owners.</summary>
public sealed class SlotHistoryCodecTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_keyframe_reads_back_every_layer_scale_and_owner()
    {
        var point = HistoryPoints.Loaded(At, seed: 1);

        var payload = SlotHistoryCodec.Encode(point, previous: null);
        var back = SlotHistoryCodec.Decode(payload, At, previous: null);

        Assert.True(SlotHistoryCodec.IsKeyframe(payload));
        HistoryPoints.AssertSame(point, back);
    }

    [Fact]
    public void A_delta_reads_back_exactly_against_the_point_before_and_is_smaller_than_a_keyframe()
    {
        var first = HistoryPoints.Loaded(At, seed: 1);
        var second = HistoryPoints.Varied(first, At.AddSeconds(10), seed: 2);

        var delta = SlotHistoryCodec.Encode(second, first);
        var back = SlotHistoryCodec.Decode(delta, second.At, first);

        Assert.False(SlotHistoryCodec.IsKeyframe(delta));
        HistoryPoints.AssertSame(second, back);
        Assert.True(delta.Length < SlotHistoryCodec.Encode(second, null).Length, "a delta of a slowly changing cluster must be smaller than its keyframe");
    }

    [Fact]
    public void A_point_whose_load_jumped_at_random_reads_back_exactly_and_packs_no_worse_than_its_keyframe()
    {
        var first = HistoryPoints.Loaded(At, seed: 1);
        var unrelated = HistoryPoints.Loaded(At.AddSeconds(10), seed: 2) with { Layers = [first.Layers[0], first.Layers[1], .. HistoryPoints.Loaded(At, seed: 2).Layers[2..]] };

        var delta = SlotHistoryCodec.Encode(unrelated, first);

        HistoryPoints.AssertSame(unrelated, SlotHistoryCodec.Decode(delta, unrelated.At, first));
        // Keys did not change (packed as differences, all 0), the load layers are stored as they are.
        Assert.True(delta.Length < SlotHistoryCodec.Encode(unrelated, null).Length);
    }

    [Fact]
    public void Layers_the_cluster_does_not_report_stay_missing_and_an_unassigned_slot_stays_unassigned()
    {
        var loaded = HistoryPoints.Loaded(At, seed: 3);
        var owners = loaded.Layers[0]!.ToArray();
        owners[100] = SlotHistoryPoint.Unassigned;
        var point = loaded with { Layers = [owners, loaded.Layers[1], null, null, null] };

        var back = SlotHistoryCodec.Decode(SlotHistoryCodec.Encode(point, loaded), At, loaded);

        Assert.Null(back.Layers[2]);
        Assert.Null(back.Layers[4]);
        Assert.Equal(SlotHistoryPoint.Unassigned, back.Layers[0]![100]);
        HistoryPoints.AssertSame(point, back);
    }

    [Fact]
    public void A_slot_owned_by_one_primary_alone_is_one_run_of_all_slots()
    {
        var point = new SlotHistoryPoint(At, [new SlotHistoryOwner("a", "127.0.0.1:7000")], [new byte[16_384], null, null, null, null], [0, 0, 0, 0, 0]);

        var back = SlotHistoryCodec.Decode(SlotHistoryCodec.Encode(point, null), At, null);

        Assert.All(back.Layers[0]!, b => Assert.Equal(0, b));
        Assert.Equal("127.0.0.1:7000", Assert.Single(back.Owners).Endpoint);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(SlotHistoryCodec.DefaultQuality)]
    [InlineData(6)]
    [InlineData(9)]
    [InlineData(11)]
    public void Keyframes_and_deltas_packed_at_any_brotli_quality_read_back_exactly(int quality)
    {
        var first = HistoryPoints.Loaded(At, seed: 5);
        var second = HistoryPoints.Varied(first, At.AddSeconds(10), seed: 6);

        var keyframe = SlotHistoryCodec.Encode(first, null, quality);
        var delta = SlotHistoryCodec.Encode(second, first, quality);

        HistoryPoints.AssertSame(first, SlotHistoryCodec.Decode(keyframe, At, null));
        HistoryPoints.AssertSame(second, SlotHistoryCodec.Decode(delta, second.At, first));
        Assert.True(SlotHistoryCodec.IsKeyframe(keyframe));
        Assert.False(SlotHistoryCodec.IsKeyframe(delta));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(12)]
    public void A_quality_brotli_does_not_have_is_refused(int quality) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SlotHistoryCodec.Encode(HistoryPoints.Loaded(At, seed: 1), null, quality));

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    public void Load_layers_kept_to_any_number_of_bits_read_back_exactly(int bits)
    {
        var first = HistoryPoints.Correlated(At, seed: 7).WithLoadBits(bits);
        var second = HistoryPoints.Correlated(At.AddSeconds(10), seed: 8).WithLoadBits(bits);

        HistoryPoints.AssertSame(first, SlotHistoryCodec.Decode(SlotHistoryCodec.Encode(first, null), At, null));
        HistoryPoints.AssertSame(second, SlotHistoryCodec.Decode(SlotHistoryCodec.Encode(second, first), second.At, first));
    }

    [Fact]
    public void Every_byte_value_in_every_load_layer_reads_back_exactly()
    {
        // All 256 values, none kept to fewer bits: no low bits may be taken for padding.
        var point = HistoryPoints.Loaded(At, seed: 9);
        var layers = point.Layers.ToArray();
        for (var layer = 2; layer < 5; layer++)
        {
            layers[layer] = [.. Enumerable.Range(0, 16_384).Select(s => (byte)((s * (layer + 1)) % 256))];
        }

        var all = point with { Layers = [.. layers] };

        HistoryPoints.AssertSame(all, SlotHistoryCodec.Decode(SlotHistoryCodec.Encode(all, null), At, null));
    }

    [Fact]
    public void Load_layers_that_follow_each_other_slot_by_slot_pack_far_tighter_than_the_same_figures_shuffled()
    {
        // The same bytes in each layer: once network in and out follow the slot's CPU, once shuffled between slots.
        var following = HistoryPoints.Correlated(At, seed: 10).WithLoadBits(7);
        var random = new Random(11);
        var shuffled = following with
        {
            Layers = [.. following.Layers.Select((l, i) => i < 3 || l is null ? l : l.OrderBy(_ => random.Next()).ToArray())],
        };

        var together = SlotHistoryCodec.Encode(following, null).Length;
        var apart = SlotHistoryCodec.Encode(shuffled, null).Length;

        HistoryPoints.AssertSame(shuffled, SlotHistoryCodec.Decode(SlotHistoryCodec.Encode(shuffled, null), At, null));
        Assert.True(together < apart * 0.8, $"layers that follow each other took {together} B, the same figures shuffled {apart} B");
    }

    [Fact]
    public void A_point_read_only_to_decode_the_next_from_leaves_out_its_load_and_the_next_still_reads_back_exactly()
    {
        var first = HistoryPoints.Correlated(At, seed: 15);
        var second = HistoryPoints.Varied(HistoryPoints.Correlated(At.AddSeconds(10), seed: 16), At.AddSeconds(10), seed: 17);

        var lead = SlotHistoryCodec.Decode(SlotHistoryCodec.Encode(first, null), At, null, load: false);
        var back = SlotHistoryCodec.Decode(SlotHistoryCodec.Encode(second, first), second.At, lead);

        Assert.Equal(first.Layers[1], lead.Layers[1]);
        Assert.All(lead.Layers.Skip(2), Assert.Null);
        HistoryPoints.AssertSame(second, back);
    }

    [Fact]
    public void A_point_written_in_the_first_format_still_reads_back()
    {
        // Format 1 (before the load coder): every present figure layer 16,384 bytes, here keys as differences.
        var before = HistoryPoints.Loaded(At, seed: 12);
        var point = HistoryPoints.Varied(before, At.AddSeconds(10), seed: 13);
        var raw = new MemoryStream();
        raw.Write([1, 0, 0b11110, 0b00010, 1]);
        raw.WriteByte(4);
        raw.Write("a000"u8);
        raw.WriteByte(14);
        raw.Write("127.0.0.1:7000"u8);
        foreach (var scale in point.Scales.Skip(1))
        {
            raw.Write(BitConverter.GetBytes(scale));
        }

        raw.Write([1, 0, 0, 0, 0]);
        raw.Write([.. point.Layers[1]!.Select((b, slot) => unchecked((byte)(b - before.Layers[1]![slot])))]);
        foreach (var layer in point.Layers.Skip(2))
        {
            raw.Write(layer!);
        }

        var payload = new byte[System.IO.Compression.BrotliEncoder.GetMaxCompressedLength((int)raw.Length)];
        Assert.True(System.IO.Compression.BrotliEncoder.TryCompress(raw.ToArray(), payload, out var written, 4, 17));

        var back = SlotHistoryCodec.Decode(payload[..written], point.At, before);

        Assert.Equal("127.0.0.1:7000", Assert.Single(back.Owners).Endpoint);
        Assert.All(back.Layers[0]!, b => Assert.Equal(0, b));
        for (var layer = 1; layer < 5; layer++)
        {
            Assert.Equal(point.Layers[layer], back.Layers[layer]);
            Assert.Equal(point.Scales[layer], back.Scales[layer]);
        }
    }

    [Fact]
    public void A_point_cut_short_is_refused_instead_of_read_as_zeros()
    {
        var point = HistoryPoints.Correlated(At, seed: 14);
        var raw = new MemoryStream();
        using (var brotli = new System.IO.Compression.BrotliStream(new MemoryStream(SlotHistoryCodec.Encode(point, null)), System.IO.Compression.CompressionMode.Decompress))
        {
            brotli.CopyTo(raw);
        }

        var cut = raw.ToArray()[..(int)(raw.Length / 2)];
        var payload = new byte[System.IO.Compression.BrotliEncoder.GetMaxCompressedLength(cut.Length)];
        Assert.True(System.IO.Compression.BrotliEncoder.TryCompress(cut, payload, out var written, 4, 17));

        Assert.Throws<InvalidDataException>(() => SlotHistoryCodec.Decode(payload[..written], At, null));
    }

    [Fact]
    public void A_delta_without_the_point_before_is_refused()
    {
        var first = HistoryPoints.Loaded(At, seed: 1);
        var delta = SlotHistoryCodec.Encode(HistoryPoints.Varied(first, At.AddSeconds(10), seed: 2), first);

        Assert.Throws<InvalidDataException>(() => SlotHistoryCodec.Decode(delta, At, previous: null));
    }
}

/// <summary>History points that look like a loaded cluster's: three owners, keys in every slot, load in some.</summary>
internal static class HistoryPoints
{
    public static ImmutableArray<SlotHistoryOwner> Owners { get; } =
        [new("a000", "127.0.0.1:7000"), new("b000", "127.0.0.1:7001"), new("c000", "127.0.0.1:7002")];

    public static SlotHistoryPoint Loaded(DateTimeOffset at, int seed)
    {
        var random = new Random(seed);
        var layers = new byte[]?[5];
        layers[0] = [.. Enumerable.Range(0, 16_384).Select(s => (byte)(s * 3 / 16_384))];
        for (var layer = 1; layer < 5; layer++)
        {
            layers[layer] = [.. Enumerable.Range(0, 16_384).Select(_ => (byte)(random.Next(4) == 0 ? 0 : random.Next(100, 200)))];
        }

        return new SlotHistoryPoint(at, Owners, [.. layers], [0, 65_536, 1_024, 4_096, 8_192]);
    }

    /// <summary>
    /// A point whose load layers follow each slot's commands, as a loaded cluster's do: network in and out are rates
    /// that rise and fall with the slot's CPU (with their own noise), on the heat map's logarithmic byte scale.
    /// </summary>
    public static SlotHistoryPoint Correlated(DateTimeOffset at, int seed)
    {
        var random = new Random(seed);
        var loaded = Loaded(at, seed);
        var commands = Enumerable.Range(0, 16_384).Select(_ => random.Next(4) == 0 ? 0 : random.Next(1, 40)).ToArray();
        byte Scaled(double figure) => figure <= 0 ? (byte)0 : (byte)Math.Clamp(Math.Round(255 * Math.Log(1 + figure) / Math.Log(1 + 65_536)), 1, 255);
        var cpu = commands.Select(c => Scaled(c * (1.5 + random.NextDouble()))).ToArray();
        var networkIn = commands.Select(c => Scaled(c * 60 + random.Next(0, 3) * c)).ToArray();
        var networkOut = commands.Select(c => Scaled(c * 40 + random.Next(0, 3) * c)).ToArray();
        return loaded with { Layers = [loaded.Layers[0], loaded.Layers[1], cpu, networkIn, networkOut] };
    }

    /// <summary>The point 10 s later: a few figures move a step or two.</summary>
    public static SlotHistoryPoint Varied(SlotHistoryPoint before, DateTimeOffset at, int seed)
    {
        var random = new Random(seed);
        var layers = before.Layers.Select((l, i) => i == 0 || l is null ? l : [.. l.Select(b => b == 0 || random.Next(3) > 0 ? b : (byte)(b + random.Next(-2, 3)))]);
        return before with { At = at, Layers = [.. layers] };
    }

    public static void AssertSame(SlotHistoryPoint expected, SlotHistoryPoint actual)
    {
        Assert.Equal(expected.At, actual.At);
        Assert.Equal(expected.Owners.ToArray(), actual.Owners.ToArray());
        for (var layer = 0; layer < 5; layer++)
        {
            Assert.Equal(expected.Layers[layer], actual.Layers[layer]);
            if (layer > 0 && expected.Layers[layer] is not null)
            {
                Assert.Equal(expected.Scales[layer], actual.Scales[layer]);
            }
        }
    }
}

/// <summary>The load layers are kept to fewer bits before they are stored; owners and keys stay exact.</summary>
public sealed class SlotHistoryLoadBitsTests
{
    [Fact]
    public void Seven_bits_keep_zero_at_zero_put_each_byte_in_the_middle_of_its_step_and_leave_owners_and_keys_alone()
    {
        var point = HistoryPoints.Loaded(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero), seed: 4);

        var kept = point.WithLoadBits(7);

        Assert.Equal(point.Layers[0], kept.Layers[0]);
        Assert.Equal(point.Layers[1], kept.Layers[1]);
        for (var layer = 2; layer < 5; layer++)
        {
            Assert.All(Enumerable.Range(0, 16_384), slot =>
            {
                var (before, after) = (point.Layers[layer]![slot], kept.Layers[layer]![slot]);
                Assert.True(before == 0 ? after == 0 : after == ((before & 0xFE) | 1), $"slot {slot}: {before} became {after}");
            });
        }

        Assert.Same(point, point.WithLoadBits(8));
        Assert.Equal(kept.Layers[2], kept.WithLoadBits(7).Layers[2]);
    }
}
