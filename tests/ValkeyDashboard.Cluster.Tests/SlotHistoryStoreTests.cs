using ValkeyDashboard.Cluster.History;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>The slot history in SQLite: points read back through their keyframes, retention keeps every kept point readable, rows are the cluster's.</summary>
public sealed class SlotHistoryStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"slot-history-{Guid.NewGuid():N}.db");
    private readonly DashboardDatabase _database;
    private readonly SlotHistoryStore _store;

    public SlotHistoryStoreTests()
    {
        _database = new DashboardDatabase(_path);
        _store = new SlotHistoryStore(_database, keyframeEvery: 4);
    }

    [Fact]
    public async Task Points_of_a_range_read_back_exactly_however_far_from_their_keyframe()
    {
        await _database.IdentifyClusterAsync(["a1"], Start);
        var written = await WriteAsync(tier: 0, count: 10);

        // From the 6th point: decoded from the keyframe at the 5th (every 4th point is one: 0, 4, 8).
        var read = await _store.ReadRangeAsync(0, written[5].At, written[9].At);

        Assert.Equal(5, read.Count);
        for (var i = 0; i < read.Count; i++)
        {
            HistoryPoints.AssertSame(written[5 + i], read[i]);
        }
    }

    [Fact]
    public async Task A_single_moment_is_the_nearest_point_at_or_before_it_in_the_finest_tier_that_has_one()
    {
        await _database.IdentifyClusterAsync(["a1"], Start);
        var fine = await WriteAsync(tier: 0, count: 6);
        var coarse = HistoryPoints.Loaded(Start, seed: 99);
        await _store.AppendAsync(1, coarse);

        var between = await _store.ReadAtAsync(fine[3].At.AddSeconds(5));
        var exact = await _store.ReadAtAsync(Start);
        var before = await _store.ReadAtAsync(Start.AddSeconds(-1));

        Assert.Equal(0, between!.Value.Tier);
        HistoryPoints.AssertSame(fine[3], between.Value.Point);
        Assert.Equal(0, exact!.Value.Tier); // both tiers have a point then: the finer answers
        Assert.Null(before);
    }

    [Fact]
    public async Task Retention_deletes_old_points_but_keeps_the_keyframe_a_kept_point_needs()
    {
        await _database.IdentifyClusterAsync(["a1"], Start);
        var written = await WriteAsync(tier: 0, count: 10);

        // Cut at the 6th point: the keyframe at the 5th (index 4) stays, the 4 before it go.
        var deleted = await _store.PruneAsync(0, written[6].At);
        var left = await _store.ReadRangeAsync(0, DateTimeOffset.MinValue.AddYears(1), written[9].At);

        Assert.Equal(4, deleted);
        Assert.Equal(written[4].At, left[0].At);
        HistoryPoints.AssertSame(written[9], left[^1]);
        Assert.Equal((6, left.Count), (6, (await _store.SizeAsync())[0].Points));
    }

    [Fact]
    public async Task Nothing_is_written_before_the_cluster_is_known_and_another_clusters_points_are_not_read()
    {
        Assert.False(await _store.AppendAsync(0, HistoryPoints.Loaded(Start, 1)));
        await _database.IdentifyClusterAsync(["a1"], Start);
        await WriteAsync(tier: 0, count: 3);

        await _database.IdentifyClusterAsync(["b1"], Start);
        Assert.Null(await _store.ExtentAsync());
        Assert.Empty(await _store.ReadRangeAsync(0, Start, Start.AddHours(1)));

        await _database.IdentifyClusterAsync(["a1"], Start);
        Assert.Equal((Start, Start.AddSeconds(20)), await _store.ExtentAsync());
    }

    private async Task<List<SlotHistoryPoint>> WriteAsync(int tier, int count)
    {
        var points = new List<SlotHistoryPoint> { HistoryPoints.Loaded(Start, seed: 1) };
        for (var i = 1; i < count; i++)
        {
            points.Add(HistoryPoints.Varied(points[^1], Start.AddSeconds(10 * i), seed: i));
        }

        foreach (var point in points)
        {
            Assert.True(await _store.AppendAsync(tier, point));
        }

        return points;
    }

    [Fact]
    public async Task A_point_stored_in_a_coarse_tier_reads_back_with_its_low_bits_at_the_middle_of_the_step_and_owners_and_keys_exact()
    {
        await _database.IdentifyClusterAsync(["a1"], Start);
        var options = new SlotHistoryOptions();
        var original = HistoryPoints.Loaded(Start, seed: 21);
        // Small figures too: at 4 bits the whole first step (1-15) must stay non-zero, not read back as idle.
        original.Layers[2]![0] = 1;
        original.Layers[2]![1] = 15;
        original.Layers[2]![2] = 16;
        original.Layers[2]![3] = 255;

        for (var tier = 0; tier < 3; tier++)
        {
            await _store.AppendAsync(tier, original.WithLoadBits(options.LoadBitsOf(tier)));
        }

        var fine = (await _store.ReadRangeAsync(0, Start, Start)).Single();
        var coarse = (await _store.ReadRangeAsync(2, Start, Start)).Single();
        foreach (var read in new[] { fine, coarse })
        {
            Assert.Equal(original.Owners.ToArray(), read.Owners.ToArray());
            Assert.Equal(original.Layers[0], read.Layers[0]);
            Assert.Equal(original.Layers[1], read.Layers[1]);
            Assert.Equal(original.Scales.ToArray(), read.Scales.ToArray());
        }

        AssertKept(original, fine, options.LoadBitsOf(0));
        AssertKept(original, coarse, options.LoadBitsOf(2));
        Assert.Equal(7, options.LoadBitsOf(0));
        Assert.Equal([8, 8, 24, 248], coarse.Layers[2]![..4]);
        Assert.Equal([1, 15, 17, 255], fine.Layers[2]![..4]);
        Assert.True(coarse.Layers[3]!.Distinct().Count() <= 1 << options.LoadBitsOf(2), "the coarse tier holds no more distinct figures than its bits allow");
    }

    private static void AssertKept(SlotHistoryPoint original, SlotHistoryPoint read, int bits)
    {
        var dropped = 8 - bits;
        var mask = 0xFF << dropped & 0xFF;
        var middle = 1 << dropped >> 1;
        for (var layer = SlotHistoryPoint.FirstLoadLayer; layer < SlotHistoryPoint.LayerCount; layer++)
        {
            for (var slot = 0; slot < 16_384; slot++)
            {
                var (before, after) = (original.Layers[layer]![slot], read.Layers[layer]![slot]);
                var expected = before == 0 ? 0 : (before & mask) | middle;
                Assert.True(after == expected, $"layer {layer} slot {slot}: {before} read back as {after}, expected {expected} at {bits} bits");
            }
        }
    }

    public void Dispose()
    {
        _store.Dispose();
        _database.Dispose();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
