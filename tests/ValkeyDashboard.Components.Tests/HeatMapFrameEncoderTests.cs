using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// What one browser is sent: the owner and on-screen layers first and whole, other layers as the frame budget
/// allows, afterwards only what changed, in the smallest encoding. Frames are read back with
/// <see cref="BrowserHeatMap"/>, which follows the documented layout, not the encoder.
/// </summary>
public class HeatMapFrameEncoderTests
{
    public static TheoryData<HeatMapLayer> OnScreen => [.. Enum.GetValues<HeatMapLayer>()];

    /// <summary>
    /// The layers of snapshots one second apart under a steady random load: random keys per slot, each CPU and
    /// network counter rising by its own random amount per second. From the second on, every layer is random.
    /// </summary>
    private static List<SlotHeatLayers> SteadyRandomLoad(int snapshots, Func<int, long[]>? keysAt = null)
    {
        var random = new Random(42);
        var keys = PerSlot(_ => random.Next(100_000));
        var perSecond = Enumerable.Range(0, 3).Select(_ => PerSlot(_ => random.Next(1, 50_000))).ToArray();
        var result = new List<SlotHeatLayers>();
        ClusterSnapshot? previous = null;
        for (var version = 1; version <= snapshots; version++)
        {
            var counters = perSecond.Select(rates => PerSlot(slot => rates[slot] * version)).ToArray();
            var statistics = new SlotStatistics(keysAt?.Invoke(version) ?? keys, counters[0], counters[1], counters[2]);
            var snapshot = TestSnapshots.Ok(version, statistics: statistics);
            result.Add(SlotHeatLayers.From(snapshot, previous, result.LastOrDefault()));
            previous = snapshot;
        }

        return result;

        static long[] PerSlot(Func<int, long> value) => [.. Enumerable.Range(0, SlotRange.SlotCount).Select(value)];
    }

    /// <summary>Encodes until the encoder has nothing more to send, applying every frame to <paramref name="browser"/>.</summary>
    private static int SendAll(HeatMapFrameEncoder encoder, SlotHeatLayers layers, HeatMapLayer onScreen, BrowserHeatMap browser)
    {
        var frames = 0;
        while (encoder.Encode(layers, onScreen) is { } frame)
        {
            frames++;
            Assert.True(frame.Length <= HeatMapFrameEncoder.FrameBudget, $"frame {frames} is {frame.Length} bytes");
            Assert.True(frames <= SlotHeatLayers.LayerCount, "the encoder keeps sending");
            browser.Apply(frame);
        }

        return frames;
    }

    private static void AssertBrowserHas(SlotHeatLayers layers, BrowserHeatMap browser, params HeatMapLayer[] which)
    {
        foreach (var layer in which.Length > 0 ? which : Enum.GetValues<HeatMapLayer>())
        {
            Assert.True(layers[layer].SequenceEqual(browser[layer]), $"the browser's {layer} layer differs");
            Assert.Equal(layers.ScaleOf(layer), browser.Scales[(int)layer]);
            Assert.True(browser.Available[(int)layer]);
        }
    }

    [Theory]
    [MemberData(nameof(OnScreen))]
    public void The_first_frame_holds_the_owner_and_on_screen_layers_whole_within_32_KiB(HeatMapLayer onScreen)
    {
        var layers = SteadyRandomLoad(2)[1];
        var browser = new BrowserHeatMap();

        var frame = new HeatMapFrameEncoder().Encode(layers, onScreen);

        Assert.NotNull(frame);
        Assert.True(frame.Length <= 32_768, $"the first frame is {frame.Length} bytes");
        var decoded = HeatMapFrame.Decode(frame);
        Assert.Equal(HeatMapFrameEncoder.Version, decoded.Version);
        Assert.Equal(2u, decoded.SnapshotVersion);
        Assert.Equal(HeatMapLayer.Owner, decoded.Sections[0].Layer);
        Assert.NotNull(decoded.SectionOf(onScreen));
        Assert.DoesNotContain(decoded.Sections, s => s.Encoding == FrameEncoding.Changes);
        Assert.True(decoded.Sections.Count < SlotHeatLayers.LayerCount, "every random layer at once would exceed the budget");
        browser.Apply(frame);
        AssertBrowserHas(layers, browser, HeatMapLayer.Owner, onScreen);
    }

    [Theory]
    [MemberData(nameof(OnScreen))]
    public void Layers_left_out_follow_in_later_frames_until_the_browser_has_every_layer_exactly(HeatMapLayer onScreen)
    {
        var layers = SteadyRandomLoad(2)[1];
        var browser = new BrowserHeatMap();

        var frames = SendAll(new HeatMapFrameEncoder(), layers, onScreen, browser);

        Assert.True(frames > 1);
        AssertBrowserHas(layers, browser);
    }

    [Fact]
    public void Layers_that_did_not_change_produce_no_frame()
    {
        var load = SteadyRandomLoad(3);
        var encoder = new HeatMapFrameEncoder();
        SendAll(encoder, load[1], HeatMapLayer.Keys, new BrowserHeatMap());

        Assert.Null(encoder.Encode(load[1], HeatMapLayer.Keys));
        Assert.Null(encoder.Encode(load[2], HeatMapLayer.Cpu));
    }

    [Fact]
    public void A_few_changed_slots_are_sent_as_a_small_changes_section()
    {
        var load = SteadyRandomLoad(3, keysAt: version => Keys(version == 3 ? [10, 5_000, 16_000] : []));
        var changed = Enumerable.Range(0, SlotRange.SlotCount).Count(slot => load[1][HeatMapLayer.Keys][slot] != load[2][HeatMapLayer.Keys][slot]);
        Assert.Equal(3, changed);
        var encoder = new HeatMapFrameEncoder();
        var browser = new BrowserHeatMap();
        SendAll(encoder, load[1], HeatMapLayer.Keys, browser);

        var frame = encoder.Encode(load[2], HeatMapLayer.Keys);

        Assert.NotNull(frame);
        var section = Assert.Single(HeatMapFrame.Decode(frame).Sections);
        Assert.Equal(HeatMapLayer.Keys, section.Layer);
        Assert.Equal(FrameEncoding.Changes, section.Encoding);
        Assert.Equal(2 + 3 * 3, section.Payload.Length);
        browser.Apply(frame);
        AssertBrowserHas(load[2], browser);

        static long[] Keys(int[] cleared)
        {
            var keys = Enumerable.Repeat(5_000L, SlotRange.SlotCount).ToArray();
            keys[0] = 60_000;
            foreach (var slot in cleared)
            {
                keys[slot] = 0;
            }

            return keys;
        }
    }

    [Fact]
    public void A_moved_range_is_sent_as_runs_of_the_owner_layer()
    {
        var before = TestSnapshots.Ok(version: 1);
        var owners = before.SlotOwners.ToBuilder();
        for (var slot = 0; slot <= 99; slot++)
        {
            owners[slot] = TestSnapshots.PrimaryIds[2];
        }

        var after = TestSnapshots.Ok(version: 2) with { SlotOwners = owners.ToImmutable() };
        var first = SlotHeatLayers.From(before, null, null);
        var second = SlotHeatLayers.From(after, before, first);
        var encoder = new HeatMapFrameEncoder();
        var browser = new BrowserHeatMap();
        SendAll(encoder, first, HeatMapLayer.Owner, browser);

        var frame = encoder.Encode(second, HeatMapLayer.Owner);

        Assert.NotNull(frame);
        var section = Assert.Single(HeatMapFrame.Decode(frame).Sections);
        Assert.Equal(FrameEncoding.Runs, section.Encoding);
        Assert.Equal(2 + 4 * 3, section.Payload.Length);
        browser.Apply(frame);
        AssertBrowserHas(second, browser, HeatMapLayer.Owner);
    }

    [Fact]
    public void Layers_the_cluster_does_not_report_are_marked_unavailable_once()
    {
        var layers = SlotHeatLayers.From(TestSnapshots.Ok(), null, null);
        var encoder = new HeatMapFrameEncoder();
        var browser = new BrowserHeatMap();

        var frame = encoder.Encode(layers, HeatMapLayer.Owner);

        Assert.NotNull(frame);
        var decoded = HeatMapFrame.Decode(frame);
        Assert.Equal(
            [FrameEncoding.Runs, FrameEncoding.Runs, FrameEncoding.Unavailable, FrameEncoding.Unavailable, FrameEncoding.Unavailable],
            Enum.GetValues<HeatMapLayer>().Select(l => decoded.SectionOf(l)!.Encoding));
        browser.Apply(frame);
        AssertBrowserHas(layers, browser, HeatMapLayer.Owner, HeatMapLayer.Keys);
        Assert.False(browser.Available[(int)HeatMapLayer.Cpu]);
        Assert.Null(encoder.Encode(SlotHeatLayers.From(TestSnapshots.Ok(version: 2), TestSnapshots.Ok(), layers), HeatMapLayer.Cpu));
    }

    [Theory]
    [MemberData(nameof(OnScreen))]
    public void A_fragmented_owner_layer_keeps_every_frame_within_the_budget(HeatMapLayer onScreen)
    {
        var random = new Random(7);
        var snapshot = TestSnapshots.Ok() with
        {
            SlotOwners = [.. Enumerable.Range(0, SlotRange.SlotCount).Select(_ => TestSnapshots.PrimaryIds[random.Next(3)])],
            SlotStatistics = new SlotStatistics([.. Enumerable.Range(0, SlotRange.SlotCount).Select(_ => (long)random.Next(100_000))], null, null, null),
        };
        var layers = SlotHeatLayers.From(snapshot, null, null);
        var browser = new BrowserHeatMap();

        // Slots scattered one by one across primaries: the owner layer alone is a whole 16 KiB, so a whole layer on screen
        // beside it would pass 32 KiB; it follows in the next frame instead (SendAll checks every frame's size).
        var frames = SendAll(new HeatMapFrameEncoder(), layers, onScreen, browser);

        Assert.True(frames >= 2);
        AssertBrowserHas(layers, browser, HeatMapLayer.Owner, HeatMapLayer.Keys);
    }

    [Fact]
    public void After_a_reset_the_next_frame_is_whole_again()
    {
        var layers = SteadyRandomLoad(2)[1];
        var encoder = new HeatMapFrameEncoder();
        SendAll(encoder, layers, HeatMapLayer.Cpu, new BrowserHeatMap());
        var reconnected = new BrowserHeatMap();

        encoder.Reset();
        var frame = encoder.Encode(layers, HeatMapLayer.Cpu);

        Assert.NotNull(frame);
        reconnected.Apply(frame);
        AssertBrowserHas(layers, reconnected, HeatMapLayer.Owner, HeatMapLayer.Cpu);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(250)]
    public void Frames_of_a_cluster_with_hundreds_of_primaries_stay_within_the_budget_and_a_reshuffle_reaches_the_browser_exactly(int primaries)
    {
        var before = TestSnapshots.Many(primaries);
        var layers = SlotHeatLayers.From(before, null, null);
        var encoder = new HeatMapFrameEncoder();
        var browser = new BrowserHeatMap();
        SendAll(encoder, layers, HeatMapLayer.Owner, browser);
        Assert.Equal(primaries, layers.Owners.Length);

        // Every primary hands a slot in every other one of its ranges' cells to its neighbour: many short runs at once.
        var owners = before.SlotOwners.ToBuilder();
        for (var slot = 0; slot < owners.Count; slot += 2)
        {
            owners[slot] = before.SlotOwners[(slot + (SlotRange.SlotCount / primaries)) % SlotRange.SlotCount];
        }

        var after = before with { SlotOwners = owners.ToImmutable(), Version = 2, Timestamp = before.Timestamp.AddSeconds(1) };
        var next = SlotHeatLayers.From(after, before, layers);
        SendAll(encoder, next, HeatMapLayer.Owner, browser);

        AssertBrowserHas(next, browser, HeatMapLayer.Owner);
    }
}
