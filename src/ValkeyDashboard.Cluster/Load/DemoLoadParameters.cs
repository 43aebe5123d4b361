using System.Globalization;

namespace ValkeyDashboard.Cluster.Load;

/// <summary>How the demo load's keys and traffic are spread over the slots. Values are part of the wire contract.</summary>
public enum DemoLoadSkew
{
    /// <summary>Keys and traffic over all slots alike.</summary>
    Uniform = 0,

    /// <summary>Keys over all slots, but most traffic on the keys of a few slots (hot slots on the CPU and network maps).</summary>
    HotSlots = 1,

    /// <summary>Every key has one of a few hash tags, so all keys sit in a few slots (plans have something to balance).</summary>
    HashTags = 2,
}

/// <summary>What a demo load does: how many keys, how big, how fast, how spread, how long.</summary>
public sealed record DemoLoadParameters(int Keys, int ValueBytes, int OpsPerSecond, DemoLoadSkew Skew, int DurationSeconds)
{
    /// <summary>The wire names of the skews, as a request spells them.</summary>
    public static readonly IReadOnlyDictionary<string, DemoLoadSkew> SkewNames = new Dictionary<string, DemoLoadSkew>(StringComparer.OrdinalIgnoreCase)
    {
        ["uniform"] = DemoLoadSkew.Uniform,
        ["hot-slots"] = DemoLoadSkew.HotSlots,
        ["hash-tags"] = DemoLoadSkew.HashTags,
    };

    /// <summary>
    /// The parameters of a start request: each value given or its default, all within the caps. Every problem of the
    /// request is named at once (<see cref="RequestRefusedException"/>, invalid).
    /// </summary>
    public static DemoLoadParameters Resolve(int? keys, int? valueBytes, int? opsPerSecond, string? skew, int? durationSeconds, DemoLoadOptions options)
    {
        var problems = new List<string>();
        var resolved = new DemoLoadParameters(
            Within("keys", keys ?? options.DefaultKeys, options.MaxKeys, problems),
            Within("valueBytes", valueBytes ?? options.DefaultValueBytes, options.MaxValueBytes, problems),
            Within("opsPerSecond", opsPerSecond ?? options.DefaultOpsPerSecond, options.MaxOpsPerSecond, problems),
            DemoLoadSkew.Uniform,
            Within("durationSeconds", durationSeconds ?? options.DefaultDurationSeconds, options.MaxDurationSeconds, problems));
        if (skew is not null)
        {
            if (SkewNames.TryGetValue(skew, out var parsed))
            {
                resolved = resolved with { Skew = parsed };
            }
            else
            {
                problems.Add($"skew must be one of {string.Join(", ", SkewNames.Keys.Select(k => $"\"{k}\""))}, got \"{Text.ErrorText.Clip(skew, 40)}\"");
            }
        }

        return problems.Count == 0 ? resolved : throw RequestRefusedException.Invalid(string.Join("; ", problems));
    }

    /// <summary>The skew's wire name, e.g. <c>hot-slots</c>.</summary>
    public string SkewName => SkewNames.First(n => n.Value == Skew).Key;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{SkewName}, {OpsPerSecond} ops/s over {Keys} keys of {ValueBytes} B for {DurationSeconds} s");

    private static int Within(string name, int value, int max, List<string> problems)
    {
        if (value < 1 || value > max)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{name} must be between 1 and {max}, got {value}"));
        }

        return value;
    }
}
