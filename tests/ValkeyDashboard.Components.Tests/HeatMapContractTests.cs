using System.Buffers.Binary;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bunit;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components.Controls;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// The heat map's script and .NET agree through one contract defined in C# (<see cref="HeatMapContract"/>): the module
/// is handed it on start, it describes the frames the encoder really writes, node cards name their drag-and-drop
/// attributes by it, and the script keeps no copy of any of it.
/// </summary>
public partial class HeatMapContractTests : DashboardTestContext
{
    private const string ScriptPath = "wwwroot/js/slot-heatmap.js";

    /// <summary>How Blazor hands arguments to JavaScript: System.Text.Json's web defaults (camelCase).</summary>
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>The section encodings' names in the contract.</summary>
    private static readonly string[] EncodingNames = ["full", "changes", "runs", "unavailable"];

    private static JsonElement ContractAsTheBrowserGetsIt => JsonSerializer.SerializeToElement(HeatMapContract.Current, Web);

    [Fact]
    public void The_module_is_initialized_with_the_contract()
    {
        var module = JSInterop.SetupModule(SlotHeatMap.ModulePath);

        Render<SlotHeatMap>();

        var initialize = Assert.Single(module.Invocations["initialize"]);
        Assert.Same(HeatMapContract.Current, initialize.Arguments[5]);
    }

    [Fact]
    public void The_contract_carries_the_encoders_constants()
    {
        var contract = ContractAsTheBrowserGetsIt;
        var frame = contract.GetProperty("frame");

        Assert.Equal(HeatMapFrameEncoder.Version, frame.GetProperty("version").GetInt32());
        Assert.Equal(SlotHeatLayers.Unassigned, contract.GetProperty("unassigned").GetInt32());
        Assert.Equal(SlotHeatQuantizer.MaxLevel, contract.GetProperty("maxLevel").GetInt32());
        Assert.Equal(SlotRange.SlotCount, contract.GetProperty("slots").GetInt32());
        Assert.Equal(SlotRange.SlotCount, contract.GetProperty("side").GetInt32() * contract.GetProperty("side").GetInt32());
        Assert.Equal((int)HeatMapLayer.Owner, contract.GetProperty("ownerLayer").GetInt32());
        Assert.Equal(
            Enum.GetValues<HeatMapLayer>().Select(l => (int)l),
            contract.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("value").GetInt32()));
        Assert.Equal(SlotHeatLayers.LayerCount, contract.GetProperty("layers").GetArrayLength());
        Assert.Equal(
            Enum.GetValues<HeatMapSectionEncoding>().Select(e => (int)e).Order(),
            EncodingNames.Select(name => frame.GetProperty(name).GetInt32()).Order());
    }

    /// <summary>
    /// Frames of every encoding, read the way the script reads them (every offset, size and value from the contract),
    /// give the browser exactly the encoder's layers.
    /// </summary>
    [Fact]
    public void A_reader_that_takes_every_number_from_the_contract_reads_what_the_encoder_writes()
    {
        var contract = ContractAsTheBrowserGetsIt;
        var encoder = new HeatMapFrameEncoder();
        // Random key counts: a layer no runs or changes can shorten, so it goes whole.
        var random = new Random(7);
        var keys = Enumerable.Range(0, SlotRange.SlotCount).Select(_ => (long)random.Next(10_000)).ToArray();
        var first = SlotHeatLayers.From(TestSnapshots.Ok(version: 1, statistics: new SlotStatistics(keys, null, null, null)), null, null);
        var ok = TestSnapshots.Ok(version: 2, statistics: new SlotStatistics(keys.ToArray(), null, null, null));
        // Slot 16383 unassigned and slot 100 with another owner: the owner layer changes by two cells.
        var second = SlotHeatLayers.From(ok with { SlotOwners = ok.SlotOwners.SetItem(16383, null).SetItem(100, TestSnapshots.PrimaryIds[2]) }, null, first);
        var reader = new ContractReader(contract);

        var encodings = new List<int>();
        foreach (var layers in new[] { first, second })
        {
            while (encoder.Encode(layers, HeatMapLayer.Keys) is { } frame)
            {
                encodings.AddRange(reader.Apply(frame));
            }

            foreach (var layer in Enum.GetValues<HeatMapLayer>())
            {
                Assert.Equal(layers.Has(layer) ? layers[layer].ToArray() : new byte[SlotRange.SlotCount], reader.Layers[(int)layer]);
            }
        }

        var frameContract = contract.GetProperty("frame");
        Assert.Equal(
            EncodingNames.Select(name => frameContract.GetProperty(name).GetInt32()).Order(),
            encodings.Distinct().Order());
        Assert.Equal(contract.GetProperty("unassigned").GetInt32(), reader.Layers[(int)HeatMapLayer.Owner][16383]);
    }

    [Fact]
    public void Node_cards_name_their_drop_target_and_range_chips_by_the_contracts_attributes()
    {
        var contract = ContractAsTheBrowserGetsIt;

        var cut = Render<NodeCard>(p => p.Add(c => c.Primary, TestSnapshots.Primary(1)).Add(c => c.AcceptsDrops, true));

        Assert.Equal(TestSnapshots.PrimaryIds[1], cut.Find($"[{contract.GetProperty("dropNodeAttribute").GetString()}]").GetAttribute(contract.GetProperty("dropNodeAttribute").GetString()!));
        Assert.Equal("5461-10921", cut.Find($"[{contract.GetProperty("slotRangeAttribute").GetString()}]").GetAttribute(contract.GetProperty("slotRangeAttribute").GetString()!));
    }

    [Fact]
    public void The_script_reads_every_number_and_name_of_the_contract_from_it()
    {
        var script = Code(RepositoryFiles.Read(ScriptPath));
        var contract = ContractAsTheBrowserGetsIt;

        var missing = contract.EnumerateObject().Where(p => p.Name != "frame").Select(p => $"contract.{p.Name}")
            .Concat(contract.GetProperty("frame").EnumerateObject().Select(p => $"f.{p.Name}"))
            .Where(use => !Regex.IsMatch(script, $@"(?<![\w$]){Regex.Escape(use)}\b"))
            .ToList();

        Assert.True(missing.Count == 0, $"{ScriptPath} does not read {string.Join(", ", missing)} from the contract");
    }

    [Fact]
    public void The_script_holds_no_copy_of_the_drag_and_drop_attributes_or_the_grid()
    {
        var script = Code(RepositoryFiles.Read(ScriptPath));

        Assert.DoesNotContain(HeatMapContract.DropNodeAttributeName, script, StringComparison.Ordinal);
        Assert.DoesNotContain(HeatMapContract.SlotRangeAttributeName, script, StringComparison.Ordinal);
        foreach (var attribute in new[] { HeatMapContract.SelectionAttributeName, HeatMapContract.MovingAttributeName, HeatMapContract.PlannedAttributeName, HeatMapContract.MetricAttributeName })
        {
            // Neither the attribute's name nor its dataset property (data-moving is dataset.moving).
            Assert.DoesNotContain(attribute, script, StringComparison.Ordinal);
            Assert.DoesNotContain($"dataset.{attribute["data-".Length..]}", script, StringComparison.Ordinal);
        }

        var literals = NumberLiterals().Matches(script).Select(m => m.Value).ToList();
        Assert.DoesNotContain(SlotRange.SlotCount.ToString(System.Globalization.CultureInfo.InvariantCulture), literals);
        Assert.DoesNotContain(HeatMapContract.GridSide.ToString(System.Globalization.CultureInfo.InvariantCulture), literals);
        // 255 is both the unassigned owner and the quantiser's top level; the only 255 the script may write is a colour's opaque alpha.
        var lines255 = script.Split('\n').Where(line => NumberLiterals().Matches(line).Any(m => m.Value == "255") && !line.Contains("rgba(", StringComparison.Ordinal)).ToList();
        Assert.All(lines255, line => Assert.Contains("(255 << 24)", line, StringComparison.Ordinal));
    }

    [Fact]
    public void The_scripts_frame_reader_has_no_number_of_its_own()
    {
        var script = Code(RepositoryFiles.Read(ScriptPath));
        var start = script.IndexOf("export function applyFrame(", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{ScriptPath} has no applyFrame");
        var reader = script[start..script.IndexOf("\n}\n", start, StringComparison.Ordinal)];

        var numbers = NumberLiterals().Matches(reader).Select(m => m.Value).Where(n => n != "0").ToList();

        Assert.True(numbers.Count == 0, $"applyFrame in {ScriptPath} writes numbers of the frame format itself ({string.Join(", ", numbers)}) instead of reading them from the contract");
    }

    /// <summary>The script without its comments (which may well mention the numbers).</summary>
    private static string Code(string script) => Comments().Replace(script, string.Empty);

    [GeneratedRegex(@"/\*.*?\*/|(?<=^|\s)//[^\n]*", RegexOptions.Singleline)]
    private static partial Regex Comments();

    /// <summary>Decimal and hexadecimal number literals (not digits inside names such as getUint16).</summary>
    [GeneratedRegex(@"(?<![\w.$])(0x[0-9a-fA-F]+|\d+(\.\d+)?)(?![\w])")]
    private static partial Regex NumberLiterals();

    /// <summary>A frame reader written like the script's: every offset, size and value comes from the contract.</summary>
    private sealed class ContractReader(JsonElement contract)
    {
        private readonly JsonElement _frame = contract.GetProperty("frame");

        public byte[][] Layers { get; } = [.. contract.GetProperty("layers").EnumerateArray().Select(_ => new byte[contract.GetProperty("slots").GetInt32()])];

        private int F(string name) => _frame.GetProperty(name).GetInt32();

        /// <summary>Applies a frame and returns the encodings of its sections.</summary>
        public List<int> Apply(byte[] bytes)
        {
            Assert.Equal(F("version"), bytes[F("versionOffset")]);
            var slots = contract.GetProperty("slots").GetInt32();
            var encodings = new List<int>();
            var offset = F("headerSize");
            for (var i = 0; i < bytes[F("sectionCountOffset")]; i++)
            {
                var target = Layers[bytes[offset + F("layerOffset")]];
                var encoding = bytes[offset + F("encodingOffset")];
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + F("lengthOffset")));
                var payload = offset + F("sectionHeaderSize");
                encodings.Add(encoding);
                if (encoding == F("full"))
                {
                    Assert.Equal(slots, length);
                    bytes.AsSpan(payload, slots).CopyTo(target);
                }
                else if (encoding == F("changes"))
                {
                    var count = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(payload));
                    var values = payload + F("countSize") + count * F("slotSize");
                    for (var c = 0; c < count; c++)
                    {
                        target[BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(payload + F("countSize") + c * F("slotSize")))] = bytes[values + c];
                    }

                    Assert.Equal(length, values + count - payload);
                }
                else if (encoding == F("runs"))
                {
                    var count = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(payload));
                    var slot = 0;
                    for (var r = 0; r < count; r++)
                    {
                        var at = payload + F("countSize") + r * F("runSize");
                        var run = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at)) is var n and not 0 ? n : slots;
                        Array.Fill(target, bytes[at + F("runValueOffset")], slot, run);
                        slot += run;
                    }

                    Assert.Equal(slots, slot);
                    Assert.Equal(length, F("countSize") + count * F("runSize"));
                }
                else
                {
                    Assert.Equal(F("unavailable"), encoding);
                    Assert.Equal(0, length);
                    Array.Clear(target);
                }

                offset = payload + length;
            }

            Assert.Equal(bytes.Length, offset);
            return encodings;
        }
    }
}
