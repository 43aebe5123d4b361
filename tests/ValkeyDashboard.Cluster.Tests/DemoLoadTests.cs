using System.IO.Hashing;
using System.Text;
using ValkeyDashboard.Cluster.Load;

namespace ValkeyDashboard.Cluster.Tests;

public class DemoLoadParametersTests
{
    private static readonly DemoLoadOptions Options = new();

    [Fact]
    public void Missing_values_take_the_defaults()
    {
        Assert.Equal(new DemoLoadParameters(100_000, 100, 5_000, DemoLoadSkew.Uniform, 300), DemoLoadParameters.Resolve(null, null, null, null, null, Options));
    }

    [Theory]
    [InlineData("uniform", DemoLoadSkew.Uniform)]
    [InlineData("hot-slots", DemoLoadSkew.HotSlots)]
    [InlineData("Hash-Tags", DemoLoadSkew.HashTags)]
    public void Skews_are_read_by_their_wire_names(string name, DemoLoadSkew skew) =>
        Assert.Equal(skew, DemoLoadParameters.Resolve(10, 10, 10, name, 10, Options).Skew);

    [Fact]
    public void Every_value_out_of_range_is_named_at_once()
    {
        var refusal = Assert.Throws<RequestRefusedException>(() => DemoLoadParameters.Resolve(0, 20_000, 30_000, "zipf", 0, Options));

        Assert.Equal(RefusalKind.Invalid, refusal.Kind);
        Assert.Equal(
            "keys must be between 1 and 1000000, got 0; valueBytes must be between 1 and 16384, got 20000; opsPerSecond must be between 1 and 20000, got 30000; " +
            "durationSeconds must be between 1 and 3600, got 0; skew must be one of \"uniform\", \"hot-slots\", \"hash-tags\", got \"zipf\"",
            refusal.Message);
    }
}

public class DemoLoadKeysTests
{
    private static int Slot(string key) => (int)(Crc32.HashToUInt32(Encoding.UTF8.GetBytes(key)) % 16384);

    [Fact]
    public void Hot_slots_take_most_of_the_operations_while_the_keys_spread_over_many_slots()
    {
        var keys = new DemoLoadKeys(new DemoLoadParameters(50_000, 10, 10, DemoLoadSkew.HotSlots, 10), Slot);
        var random = new Random(7);

        var picked = Enumerable.Range(0, 10_000).Select(_ => keys.Key(keys.Next(random))).ToList();

        Assert.Equal(DemoLoadKeys.HotSlotCount, keys.HotSlots.Count);
        var onHot = picked.Count(k => keys.HotSlots.Contains(Slot(k)));
        Assert.InRange(onHot, 8_800, 9_300);
        Assert.True(picked.Select(Slot).Distinct().Count() > 500);
        Assert.All(picked, k => Assert.StartsWith(DemoLoadKeys.Prefix, k, StringComparison.Ordinal));
    }

    [Fact]
    public void Hash_tags_put_every_key_under_one_of_sixteen_tags()
    {
        var keys = new DemoLoadKeys(new DemoLoadParameters(1_000, 10, 10, DemoLoadSkew.HashTags, 10), Slot);

        Assert.Equal("demo:{t3}:19", keys.Key(19));
        Assert.Equal(DemoLoadKeys.TagCount, Enumerable.Range(0, 1_000).Select(n => keys.Key(n).Split('}')[0]).Distinct().Count());
    }

    [Fact]
    public void Uniform_keys_are_numbered_and_drawn_over_all_of_them()
    {
        var keys = new DemoLoadKeys(new DemoLoadParameters(100, 10, 10, DemoLoadSkew.Uniform, 10), Slot);
        var random = new Random(3);

        Assert.Equal("demo:42", keys.Key(42));
        Assert.Equal(100, Enumerable.Range(0, 5_000).Select(_ => keys.Next(random)).Distinct().Count());
    }
}
