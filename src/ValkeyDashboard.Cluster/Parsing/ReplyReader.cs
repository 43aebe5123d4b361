using System.Globalization;
using StackExchange.Redis;

namespace ValkeyDashboard.Cluster.Parsing;

/// <summary>
/// Small helpers over <see cref="RedisResult"/> that read Valkey's "map" replies the same way
/// whether they arrive as RESP3 maps or as RESP2 flat key/value arrays.
/// </summary>
internal static class ReplyReader
{
    /// <summary>Reads a map-shaped reply into a case-insensitive dictionary; throws <see cref="ValkeyReplyException"/> when the reply is not map-shaped.</summary>
    public static Dictionary<string, RedisResult> ReadMap(RedisResult reply, string what)
    {
        if (reply.IsNull || reply.Length < 0 || reply.Length % 2 != 0)
        {
            throw new ValkeyReplyException($"{what}: expected a map, got {Describe(reply)}");
        }

        var items = (RedisResult[])reply!;
        var map = new Dictionary<string, RedisResult>(items.Length / 2, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < items.Length; i += 2)
        {
            map[(string?)items[i] ?? string.Empty] = items[i + 1];
        }

        return map;
    }

    public static RedisResult[] ReadArray(RedisResult reply, string what)
    {
        if (reply.IsNull || reply.Length < 0)
        {
            throw new ValkeyReplyException($"{what}: expected an array, got {Describe(reply)}");
        }

        return (RedisResult[])reply!;
    }

    public static string? GetString(this Dictionary<string, RedisResult> map, string key) =>
        map.TryGetValue(key, out var value) && !value.IsNull ? (string?)value : null;

    public static string GetRequiredString(this Dictionary<string, RedisResult> map, string key, string what) =>
        map.GetString(key) ?? throw new ValkeyReplyException($"{what}: field '{key}' is missing");

    public static long? GetInt64(this Dictionary<string, RedisResult> map, string key) =>
        map.TryGetValue(key, out var value) && !value.IsNull && long.TryParse((string?)value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    public static long ToInt64(RedisResult value, string what) =>
        long.TryParse((string?)value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ValkeyReplyException($"{what}: expected an integer, got {Describe(value)}");

    private static string Describe(RedisResult reply) => reply.IsNull ? "null" : $"{reply.Resp3Type} of length {reply.Length}";
}
