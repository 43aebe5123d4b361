using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>
/// Loads a reply captured from a real Valkey node (raw RESP2 bytes in <c>Replies/</c>) and turns it into
/// the <see cref="RedisResult"/> StackExchange.Redis would have produced, so parsers are tested on real replies.
/// </summary>
internal static class CapturedReplies
{
    public static RedisResult Load(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Replies", name));
        var position = 0;
        var result = Read(bytes, ref position);
        Assert.Equal(bytes.Length, position);
        return result;
    }

    public static string LoadText(string name) => (string)Load(name)!;

    private static RedisResult Read(byte[] bytes, ref int position)
    {
        var type = (char)bytes[position++];
        var line = ReadLine(bytes, ref position);
        switch (type)
        {
            case '+':
                return RedisResult.Create((RedisValue)line, ResultType.SimpleString);
            case '-':
                return RedisResult.Create((RedisValue)line, ResultType.Error);
            case ':':
                return RedisResult.Create((RedisValue)long.Parse(line, CultureInfo.InvariantCulture), ResultType.Integer);
            case '$':
                {
                    var length = int.Parse(line, CultureInfo.InvariantCulture);
                    if (length < 0)
                    {
                        return RedisResult.Create(RedisValue.Null, ResultType.BulkString);
                    }

                    var value = Encoding.UTF8.GetString(bytes, position, length);
                    position += length + 2;
                    return RedisResult.Create((RedisValue)value, ResultType.BulkString);
                }

            case '*':
                {
                    var count = int.Parse(line, CultureInfo.InvariantCulture);
                    var items = new RedisResult[count];
                    for (var i = 0; i < count; i++)
                    {
                        items[i] = Read(bytes, ref position);
                    }

                    return RedisResult.Create(items, ResultType.Array);
                }

            default:
                throw new InvalidDataException($"unexpected RESP type '{type}' at {position - 1}");
        }
    }

    private static string ReadLine(byte[] bytes, ref int position)
    {
        var end = Array.IndexOf(bytes, (byte)'\r', position);
        var line = Encoding.UTF8.GetString(bytes, position, end - position);
        position = end + 2;
        return line;
    }
}
