using System.Collections.Frozen;
using System.Globalization;

namespace ValkeyDashboard.Cluster.Parsing;

/// <summary>The <c>key:value</c> fields of an <c>INFO</c> (or <c>CLUSTER INFO</c>) reply.</summary>
public sealed class InfoReply
{
    private readonly Dictionary<string, string> _fields;

    private InfoReply(Dictionary<string, string> fields) => _fields = fields;

    public static InfoReply Parse(string text) => Parse(text, fields: null);

    /// <summary>
    /// Parses <paramref name="text"/> keeping only <paramref name="fields"/> (and every <c>dbN</c> keyspace line), all
    /// fields when null: the monitor reads a handful of the ~130 fields of every node's INFO every poll, and at 1,000
    /// nodes turning every field into strings was most of a poll's CPU.
    /// </summary>
    public static InfoReply Parse(string text, FrozenSet<string>? fields)
    {
        // Line by line over the text itself: only the kept fields' keys and values become strings.
        var wanted = fields?.GetAlternateLookup<ReadOnlySpan<char>>();
        var result = new Dictionary<string, string>(fields?.Count + 4 ?? 64, StringComparer.OrdinalIgnoreCase);
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var key = line[..colon];
            if (wanted is { } lookup && !lookup.Contains(key) && !IsKeyspace(key))
            {
                continue;
            }

            result[key.ToString()] = line[(colon + 1)..].ToString();
        }

        // A plain dictionary: a reply is read a few times once, where a frozen one would cost more to build than it saves.
        return new InfoReply(result);
    }

    private static bool IsKeyspace(ReadOnlySpan<char> key) => key.Length > 2 && key.StartsWith("db", StringComparison.OrdinalIgnoreCase) && char.IsAsciiDigit(key[2]);

    public string? this[string key] => _fields.GetValueOrDefault(key);

    public long? GetInt64(string key) =>
        _fields.TryGetValue(key, out var value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>The server version: <c>valkey_version</c>, else <c>redis_version</c>.</summary>
    public string? ServerVersion => this["valkey_version"] ?? this["redis_version"];

    /// <summary>Sum of <c>keys=</c> over every <c>dbN</c> line of the keyspace section; 0 when the keyspace is empty.</summary>
    public long TotalKeys
    {
        get
        {
            long total = 0;
            foreach (var (key, value) in _fields)
            {
                if (IsKeyspace(key))
                {
                    foreach (var part in value.Split(','))
                    {
                        if (part.StartsWith("keys=", StringComparison.Ordinal) &&
                            long.TryParse(part.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var keys))
                        {
                            total += keys;
                        }
                    }
                }
            }

            return total;
        }
    }

    /// <summary><c>loading:1</c> while the node loads its data set.</summary>
    public bool IsLoading => GetInt64("loading") == 1 || GetInt64("async_loading") == 1;
}
