namespace ValkeyDashboard.Cluster.History;

/// <summary>
/// Packs the load layers of a history point (CPU, network in, network out) with an adaptive binary range coder in
/// which each slot's figure is coded in the context of the figure before it in the same slot: network in given the
/// slot's CPU, network out given its network in.
/// Under a load the figures of one slot jump at random from point to point but not from layer to layer (all of them
/// follow the slot's commands): Brotli, which sees each layer alone, cannot use that; this coder does (the history
/// benchmark in docs/benchmarks.md measures how much). Lossless: the bytes read back are the bytes written. A point's
/// load layers depend on no other point, so reading a moment decodes only that moment's (coding CPU given the same
/// slot's CPU at the point before packed at most 6 % tighter on the benchmark's load, and would make a moment cost
/// every point back to its keyframe).
/// </summary>
/// <remarks>
/// A layer's bytes are first turned into symbols: when every non-zero byte has the same low bits as
/// <see cref="SlotHistoryPoint.WithLoadBits"/> leaves them (the middle of the step), those bits are dropped (the
/// layer's shift, written with it) and a symbol is 0 for a 0 byte, else 1 + the byte's high bits. Symbols are coded
/// as a binary tree of adaptive bit probabilities (one tree per context), contexts being the symbol the slot has in
/// the layer it is coded against, grouped into at most <see cref="MaxContexts"/>. The range coder is the one LZMA
/// uses (11-bit probabilities, carry propagation through a cached byte).
/// </remarks>
internal static class SlotLoadCoder
{
    /// <summary>
    /// Contexts per layer at most: every symbol of a layer kept to 7 bits or fewer is its own context (the history
    /// benchmark's load packed 5-12 % tighter with 128 contexts than with 32, and no tighter with more).
    /// </summary>
    private const int MaxContexts = 256;

    private const int ProbabilityBits = 11;
    private const int ProbabilityOne = 1 << ProbabilityBits;

    /// <summary>How fast a probability follows the bits it sees (a 1/16 step each: a context sees few slots, so it must learn fast).</summary>
    private const int AdaptShift = 4;

    private const uint TopValue = 1u << 24;

    /// <summary>A layer as symbols: the shift dropped from its bytes and the number of symbol bits.</summary>
    private readonly record struct Symbols(int Shift, int SymbolBits, int[] Values);

    /// <summary>
    /// Codes <paramref name="layers"/> (each 16,384 bytes or null; each coded against the one before it, when present)
    /// into <paramref name="output"/>: a shift byte per present layer, then the range coder's bytes.
    /// </summary>
    public static void Encode(IReadOnlyList<byte[]?> layers, Stream output)
    {
        var symbols = layers.Select(layer => layer is null ? (Symbols?)null : ToSymbols(layer)).ToArray();
        foreach (var layer in symbols)
        {
            if (layer is { } present)
            {
                output.WriteByte((byte)present.Shift);
            }
        }

        var encoder = new RangeEncoder(output);
        Symbols? context = null;
        foreach (var layer in symbols)
        {
            if (layer is { } present)
            {
                var trees = new Trees(present.SymbolBits, context);
                for (var slot = 0; slot < present.Values.Length; slot++)
                {
                    trees.Encode(ref encoder, trees.ContextOf(slot), present.Values[slot]);
                }
            }

            context = layer;
        }

        encoder.Flush();
    }

    /// <summary>
    /// The reverse of <see cref="Encode"/>: fills the entries of <paramref name="layers"/> that are not null (16,384
    /// bytes each; they say which layers are present) from <paramref name="input"/>.
    /// </summary>
    public static void Decode(byte[]?[] layers, ReadOnlySpan<byte> input)
    {
        var offset = 0;
        var shifts = new int[layers.Length];
        for (var i = 0; i < layers.Length; i++)
        {
            if (layers[i] is not null)
            {
                shifts[i] = input[offset++];
                if (shifts[i] > 7)
                {
                    throw new InvalidDataException($"slot history load layer shift {shifts[i]} is out of range");
                }
            }
        }

        var decoder = new RangeDecoder(input, offset);
        Symbols? context = null;
        for (var i = 0; i < layers.Length; i++)
        {
            if (layers[i] is not { } layer)
            {
                context = null;
                continue;
            }

            var symbols = new Symbols(shifts[i], 9 - shifts[i], new int[layer.Length]);
            var trees = new Trees(symbols.SymbolBits, context);
            for (var slot = 0; slot < layer.Length; slot++)
            {
                var symbol = trees.Decode(ref decoder, trees.ContextOf(slot));
                symbols.Values[slot] = symbol;
                layer[slot] = FromSymbol(symbol, symbols.Shift);
            }

            context = symbols;
        }
    }

    /// <summary>The layer's bytes as symbols, with the largest shift its bytes allow.</summary>
    private static Symbols ToSymbols(byte[] layer)
    {
        var shift = 7;
        while (shift > 0 && !Array.TrueForAll(layer, b => b == 0 || (b & ((1 << shift) - 1)) == 1 << (shift - 1)))
        {
            shift--;
        }

        var values = new int[layer.Length];
        for (var slot = 0; slot < layer.Length; slot++)
        {
            values[slot] = layer[slot] == 0 ? 0 : 1 + (layer[slot] >> shift);
        }

        return new Symbols(shift, 9 - shift, values);
    }

    private static byte FromSymbol(int symbol, int shift) =>
        symbol == 0 ? (byte)0 : (byte)(((symbol - 1) << shift) | (shift == 0 ? 0 : 1 << (shift - 1)));

    /// <summary>One binary tree of probabilities per context, the context of a slot read from the layer coded against.</summary>
    private sealed class Trees
    {
        private readonly int _bits;
        private readonly ushort[] _probabilities;
        private readonly Symbols? _context;
        private readonly int _contextShift;

        public Trees(int bits, Symbols? context)
        {
            _bits = bits;
            _context = context;
            var contexts = 1;
            if (context is { } c)
            {
                // Symbols of the context layer grouped so there are at most MaxContexts of them.
                while (((1 << c.SymbolBits) >> _contextShift) > MaxContexts)
                {
                    _contextShift++;
                }

                contexts = (1 << c.SymbolBits) >> _contextShift;
            }

            _probabilities = new ushort[contexts << bits];
            Array.Fill(_probabilities, (ushort)(ProbabilityOne / 2));
        }

        public int ContextOf(int slot) => _context is { } c ? c.Values[slot] >> _contextShift : 0;

        public void Encode(ref RangeEncoder encoder, int context, int symbol)
        {
            var tree = context << _bits;
            var node = 1;
            for (var bit = _bits - 1; bit >= 0; bit--)
            {
                var value = (symbol >> bit) & 1;
                encoder.EncodeBit(ref _probabilities[tree + node], value);
                node = (node << 1) | value;
            }
        }

        public int Decode(ref RangeDecoder decoder, int context)
        {
            var tree = context << _bits;
            var node = 1;
            for (var bit = 0; bit < _bits; bit++)
            {
                node = (node << 1) | decoder.DecodeBit(ref _probabilities[tree + node]);
            }

            return node - (1 << _bits);
        }
    }

    private struct RangeEncoder(Stream output)
    {
        private ulong _low;
        private uint _range = uint.MaxValue;
        private byte _cache;
        private long _cacheSize = 1;

        public void EncodeBit(ref ushort probability, int bit)
        {
            var bound = (_range >> ProbabilityBits) * probability;
            if (bit == 0)
            {
                _range = bound;
                probability += (ushort)((ProbabilityOne - probability) >> AdaptShift);
            }
            else
            {
                _low += bound;
                _range -= bound;
                probability -= (ushort)(probability >> AdaptShift);
            }

            while (_range < TopValue)
            {
                _range <<= 8;
                ShiftLow();
            }
        }

        public void Flush()
        {
            for (var i = 0; i < 5; i++)
            {
                ShiftLow();
            }
        }

        private void ShiftLow()
        {
            if ((uint)_low < 0xFF000000u || (_low >> 32) != 0)
            {
                var carry = (byte)(_low >> 32);
                var pending = _cache;
                do
                {
                    output.WriteByte(unchecked((byte)(pending + carry)));
                    pending = 0xFF;
                }
                while (--_cacheSize != 0);

                _cache = (byte)((uint)_low >> 24);
            }

            _cacheSize++;
            _low = (uint)_low << 8;
        }
    }

    private ref struct RangeDecoder
    {
        private readonly ReadOnlySpan<byte> _input;
        private int _offset;
        private uint _range = uint.MaxValue;
        private uint _code;

        public RangeDecoder(ReadOnlySpan<byte> input, int offset)
        {
            _input = input;
            _offset = offset;
            for (var i = 0; i < 5; i++)
            {
                _code = (_code << 8) | NextByte();
            }
        }

        public int DecodeBit(ref ushort probability)
        {
            var bound = (_range >> ProbabilityBits) * probability;
            int bit;
            if (_code < bound)
            {
                _range = bound;
                probability += (ushort)((ProbabilityOne - probability) >> AdaptShift);
                bit = 0;
            }
            else
            {
                _code -= bound;
                _range -= bound;
                probability -= (ushort)(probability >> AdaptShift);
                bit = 1;
            }

            if (_range < TopValue)
            {
                _range <<= 8;
                _code = (_code << 8) | NextByte();
            }

            return bit;
        }

        private byte NextByte() => _offset < _input.Length
            ? _input[_offset++]
            : throw new InvalidDataException("slot history load layers end before their last figure");
    }
}
