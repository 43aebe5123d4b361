using System.Buffers.Text;
using System.Text;

namespace ValkeyDashboard.Cluster.Parsing;

/// <summary>
/// Reads a RESP2/RESP3 reply straight from its bytes, without building an object per element: for the replies
/// that are too large to go through StackExchange.Redis every second (<c>CLUSTER SLOT-STATS</c> of 16,384 slots
/// is about 1.7 MB of RESP and 160,000 elements).
/// </summary>
public ref struct RespReader(ReadOnlySpan<byte> reply)
{
    private readonly ReadOnlySpan<byte> _reply = reply;
    private int _position;

    public readonly bool End => _position >= _reply.Length;

    /// <summary>An array, set or push header's count, or a map's count of pairs times two; -1 for a null array.</summary>
    public int ReadAggregate(string what)
    {
        var type = Peek(what);
        if (type is not ((byte)'*' or (byte)'%' or (byte)'~' or (byte)'>'))
        {
            throw Unexpected(what, "an array or map");
        }

        var count = ReadLineNumber(what);
        return checked((int)(type == (byte)'%' ? count * 2 : count));
    }

    public long ReadInteger(string what)
    {
        var type = Peek(what);
        if (type == (byte)':')
        {
            return ReadLineNumber(what);
        }

        if (type == (byte)'$' || type == (byte)'+')
        {
            var text = ReadString(what);
            return Utf8Parser.TryParse(text, out long value, out var consumed) && consumed == text.Length
                ? value
                : throw new ValkeyReplyException($"{what}: expected an integer, got \"{Encoding.UTF8.GetString(text)}\"");
        }

        throw Unexpected(what, "an integer");
    }

    /// <summary>A bulk or simple string's bytes (empty for a null bulk string).</summary>
    public ReadOnlySpan<byte> ReadString(string what)
    {
        var type = Peek(what);
        if (type is (byte)'+')
        {
            return ReadLine(what)[1..];
        }

        if (type is not ((byte)'$' or (byte)'='))
        {
            throw Unexpected(what, "a string");
        }

        var length = ReadLineNumber(what);
        if (length < 0)
        {
            return [];
        }

        if (_position + length + 2 > _reply.Length)
        {
            throw new ValkeyReplyException($"{what}: the reply ends inside a string");
        }

        var text = _reply.Slice(_position, (int)length);
        _position += (int)length + 2;
        return text;
    }

    /// <summary>Skips one element, whatever it is (nested aggregates included).</summary>
    public void Skip(string what)
    {
        switch (Peek(what))
        {
            case (byte)'*' or (byte)'%' or (byte)'~' or (byte)'>':
                var count = ReadAggregate(what);
                for (var i = 0; i < count; i++)
                {
                    Skip(what);
                }

                break;
            case (byte)'$' or (byte)'=' or (byte)'!':
                ReadString(what);
                break;
            default:
                ReadLine(what);
                break;
        }
    }

    /// <summary>Throws the reply's error when it is one (<c>-ERR …</c>).</summary>
    public readonly void ThrowIfError(string what)
    {
        if (!End && _reply[_position] == (byte)'-')
        {
            var end = _reply[_position..].IndexOf("\r\n"u8);
            throw new Connections.ValkeyErrorException(Encoding.UTF8.GetString(_reply.Slice(_position + 1, end < 0 ? _reply.Length - _position - 1 : end - 1))) { Command = what };
        }
    }

    private readonly byte Peek(string what) =>
        End ? throw new ValkeyReplyException($"{what}: the reply ended early") : _reply[_position];

    private ReadOnlySpan<byte> ReadLine(string what)
    {
        var end = _reply[_position..].IndexOf("\r\n"u8);
        if (end < 0)
        {
            throw new ValkeyReplyException($"{what}: the reply ends inside a line");
        }

        var line = _reply.Slice(_position, end);
        _position += end + 2;
        return line;
    }

    private long ReadLineNumber(string what)
    {
        var line = ReadLine(what);
        return Utf8Parser.TryParse(line[1..], out long value, out var consumed) && consumed == line.Length - 1
            ? value
            : throw new ValkeyReplyException($"{what}: expected a number after '{(char)line[0]}', got \"{Encoding.UTF8.GetString(line)}\"");
    }

    private readonly ValkeyReplyException Unexpected(string what, string expected) =>
        new($"{what}: expected {expected}, got '{(char)_reply[_position]}'");
}

/// <summary>
/// Tells, as bytes arrive, whether one whole RESP reply has been received; resumes where it stopped, so a
/// reply that arrives in many reads is scanned once.
/// </summary>
public sealed class RespReplyScanner
{
    private readonly Stack<long> _open = new();
    private int _position;
    private bool _started;

    /// <summary>The length of the complete reply at the start of <paramref name="received"/>, or -1 while more is needed.</summary>
    public int TryComplete(ReadOnlySpan<byte> received)
    {
        while (true)
        {
            if (_started && _open.Count == 0)
            {
                return _position;
            }

            if (_position >= received.Length)
            {
                return -1;
            }

            var end = received[_position..].IndexOf("\r\n"u8);
            if (end < 0)
            {
                return -1;
            }

            var type = received[_position];
            long number = 0;
            if (type is (byte)'*' or (byte)'%' or (byte)'~' or (byte)'>' or (byte)'$' or (byte)'=' or (byte)'!')
            {
                if (!Utf8Parser.TryParse(received.Slice(_position + 1, end - 1), out number, out _))
                {
                    throw new ValkeyReplyException($"not a RESP reply: \"{Encoding.UTF8.GetString(received.Slice(_position, end))}\"");
                }
            }

            var next = _position + end + 2;
            if (type is (byte)'$' or (byte)'=' or (byte)'!' && number >= 0)
            {
                if (next + number + 2 > received.Length)
                {
                    return -1;
                }

                next += (int)number + 2;
            }

            _position = next;
            _started = true;
            if (type is (byte)'*' or (byte)'%' or (byte)'~' or (byte)'>' && number > 0)
            {
                _open.Push(type == (byte)'%' ? number * 2 : number);
                continue;
            }

            // One element ended: it counts towards every aggregate it completes.
            while (_open.Count > 0)
            {
                var left = _open.Pop() - 1;
                if (left > 0)
                {
                    _open.Push(left);
                    break;
                }
            }
        }
    }

    public void Reset()
    {
        _open.Clear();
        _position = 0;
        _started = false;
    }
}
