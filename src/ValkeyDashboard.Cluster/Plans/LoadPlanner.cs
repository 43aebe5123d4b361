using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Plans;

/// <summary>A primary as the planner sees it.</summary>
/// <param name="Id">Its node id.</param>
/// <param name="Endpoint">host:port, for messages.</param>
/// <param name="Online">Only online primaries give or take slots; the others keep theirs and are left out of the balance.</param>
/// <param name="UsedMemoryBytes">INFO used_memory now.</param>
/// <param name="MaxMemoryBytes"><c>maxmemory</c>; 0 when it has none.</param>
public sealed record PlannerNode(string Id, string Endpoint, bool Online, long UsedMemoryBytes, long MaxMemoryBytes);

/// <summary>Everything a plan is computed from, gathered by the caller; the planner does no I/O.</summary>
/// <param name="Primaries">Every primary (replicas never take part).</param>
/// <param name="Owners">The owning primary's id per slot (16,384), null where unassigned.</param>
/// <param name="Load">The metric per slot (16,384): what is balanced.</param>
/// <param name="Keys">Keys per slot (16,384): what moving a slot costs.</param>
/// <param name="Bytes">Estimated bytes per slot (16,384), for memory limits and the estimate.</param>
/// <param name="Locked">Slots in a running migration: left where they are.</param>
public sealed record PlannerInput(
    ImmutableArray<PlannerNode> Primaries,
    IReadOnlyList<string?> Owners,
    IReadOnlyList<double> Load,
    IReadOnlyList<long> Keys,
    IReadOnlyList<long> Bytes,
    SlotRangeSet Locked);

/// <summary>What the operator asked for.</summary>
/// <param name="Kind">Rebalance or drain.</param>
/// <param name="Metric">What <see cref="PlannerInput.Load"/> measures (for messages).</param>
/// <param name="Drain">For a drain, the primaries to empty.</param>
/// <param name="Weights">Per primary id its weight (default 1; 0 empties it).</param>
/// <param name="Threshold">How far (share of its target) a primary may end from its target: 0.02 = 2%.</param>
/// <param name="MemoryHeadroom">Share of a target's maxmemory kept free after the plan.</param>
public sealed record PlannerGoal(PlanKind Kind, PlanMetric Metric, ImmutableHashSet<string> Drain, ImmutableDictionary<string, double> Weights, double Threshold, double MemoryHeadroom);

/// <summary>One migration of the plan: slots from one source to one target.</summary>
public sealed record PlannedMove(string SourceNodeId, string SourceEndpoint, string TargetNodeId, string TargetEndpoint, SlotRangeSet Slots, long Keys, long Bytes);

/// <summary>A primary's figures in the plan: its load now, after the plan, and its weighted target.</summary>
public sealed record PlannedNode(string Id, string Endpoint, double Before, double After, double Target, double Weight, int SlotsBefore, int SlotsAfter);

/// <summary>The planner's answer.</summary>
/// <param name="Moves">One per (source, target) pair, in a stable order.</param>
/// <param name="Nodes">Every primary, before and after.</param>
/// <param name="ImbalanceBefore">The largest primary's weighted share over the mean now (1.0 = perfect).</param>
/// <param name="ImbalanceAfter">The same once the moves ran.</param>
/// <param name="Warnings">What the operator should know: slots too big to balance, limits that held a move back, missing data.</param>
public sealed record PlannerResult(ImmutableArray<PlannedMove> Moves, ImmutableArray<PlannedNode> Nodes, double ImbalanceBefore, double ImbalanceAfter, ImmutableArray<string> Warnings)
{
    public long KeysToMove => Moves.Sum(m => m.Keys);

    public long BytesToMove => Moves.Sum(m => m.Bytes);
}

/// <summary>
/// Plans which slots move where so that every online primary's share of a metric ends within a threshold of its
/// weighted target, moving as little as possible. Pure and deterministic: the same input gives the same plan.
/// <list type="bullet">
/// <item>The biggest excess is fixed first: the primary furthest above its target gives to the one furthest below.</item>
/// <item>From a giver, the slot that fixes the most imbalance per key moved goes first, never more than the pair needs;
/// a slot next to the last one moved for the same pair is preferred when it is nearly as good, so moves stay few ranges.</item>
/// <item>A node is a giver or a taker, never both, and no slot moves twice; a taker's memory must stay under its
/// <c>maxmemory</c> with the headroom kept (so any order of the moves is safe).</item>
/// <item>A slot bigger than the threshold allows is reported, not chased; drained primaries give every slot.</item>
/// </list>
/// </summary>
public static class LoadPlanner
{
    /// <summary>A contiguous slot is taken instead of the best one when it does at least this share as much per key.</summary>
    private const double ContiguityTolerance = 0.5;

    public static PlannerResult Plan(PlannerInput input, PlannerGoal goal)
    {
        var nodes = input.Primaries.OrderBy(n => n.Id, StringComparer.Ordinal).ToList();
        var index = nodes.Select((n, i) => (n.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.OrdinalIgnoreCase);
        var count = nodes.Count;
        var weight = new double[count];
        var participates = new bool[count];
        var load = new double[count];
        var memory = new double[count];
        var slotsOf = new List<int>[count];
        for (var i = 0; i < count; i++)
        {
            participates[i] = nodes[i].Online;
            weight[i] = goal.Drain.Contains(nodes[i].Id) ? 0 : goal.Weights.TryGetValue(nodes[i].Id, out var w) ? w : 1;
            memory[i] = nodes[i].UsedMemoryBytes;
            slotsOf[i] = [];
        }

        var owner = new int[SlotRange.SlotCount];
        for (var slot = 0; slot < owner.Length; slot++)
        {
            owner[slot] = input.Owners[slot] is { } id && index.TryGetValue(id, out var i) ? i : -1;
            if (owner[slot] >= 0)
            {
                load[owner[slot]] += input.Load[slot];
                slotsOf[owner[slot]].Add(slot);
            }
        }

        var before = (double[])load.Clone();
        var slotsBefore = slotsOf.Select(s => s.Count).ToArray();
        var totalWeight = Enumerable.Range(0, count).Where(i => participates[i]).Sum(i => weight[i]);
        var totalLoad = Enumerable.Range(0, count).Where(i => participates[i]).Sum(i => load[i]);
        var target = Enumerable.Range(0, count).Select(i => participates[i] && totalWeight > 0 ? totalLoad * weight[i] / totalWeight : load[i]).ToArray();
        var warnings = ImmutableArray.CreateBuilder<string>();
        var moved = new Dictionary<(int Source, int Target), List<int>>();
        var lastMoved = new Dictionary<(int Source, int Target), int>();

        if (totalWeight <= 0)
        {
            warnings.Add("no online primary is left to take the slots (every one is drained, weighted 0 or failing)");
        }
        else
        {
            Balance();
        }

        var planned = moved
            .OrderBy(m => nodes[m.Key.Source].Endpoint, StringComparer.Ordinal).ThenBy(m => nodes[m.Key.Target].Endpoint, StringComparer.Ordinal)
            .Select(m => new PlannedMove(
                nodes[m.Key.Source].Id, nodes[m.Key.Source].Endpoint, nodes[m.Key.Target].Id, nodes[m.Key.Target].Endpoint,
                SlotRangeSet.FromSlots(m.Value), m.Value.Sum(s => input.Keys[s]), m.Value.Sum(s => input.Bytes[s])))
            .ToImmutableArray();
        var figures = Enumerable.Range(0, count)
            .Select(i => new PlannedNode(nodes[i].Id, nodes[i].Endpoint, before[i], load[i], target[i], weight[i], slotsBefore[i], slotsOf[i].Count))
            .OrderBy(n => n.Endpoint, StringComparer.Ordinal)
            .ToImmutableArray();
        // Before the plan a drained (or zero-weight) primary still counts as one of the primaries sharing the load;
        // after it, only those that keep a share do.
        var weightBefore = weight.Select(w => w == 0 ? 1.0 : w).ToArray();
        return new PlannerResult(planned, figures, Imbalance(before, weightBefore), Imbalance(load, weight), warnings.ToImmutable());

        void Balance()
        {
            var lockedSlots = input.Locked;
            var giving = new bool[count];
            var taking = new bool[count];
            var stuck = new bool[count];
            for (var i = 0; i < count; i++)
            {
                if (!participates[i])
                {
                    continue;
                }

                // Above its target a node may give (it must when above its band, or when a taker is below its band).
                giving[i] = weight[i] == 0 ? slotsOf[i].Count > 0 : load[i] > target[i];
                taking[i] = weight[i] > 0 && !giving[i];
            }

            // Each giver's movable slots, best first: most load per key moved, then lowest slot.
            var order = new List<int>[count];
            for (var i = 0; i < count; i++)
            {
                order[i] = giving[i]
                    ? [.. slotsOf[i].Where(s => !lockedSlots.Contains(s)).OrderByDescending(s => Density(s)).ThenBy(s => s)]
                    : [];
                if (giving[i] && order[i].Count < slotsOf[i].Count)
                {
                    warnings.Add($"{nodes[i].Endpoint}: {slotsOf[i].Count - order[i].Count} slot(s) in a running migration stay where they are");
                }
            }

            var gone = new bool[SlotRange.SlotCount];
            var cursor = new int[count];

            // The taker a giver gave to last: it keeps taking while it is below its target, so a move is a few long
            // ranges rather than every n-th slot of the giver shared round-robin.
            var lastTaker = Enumerable.Repeat(-1, count).ToArray();

            // A pair that found nothing to move finds nothing later either: the giver's need, the taker's room and the
            // taker's free memory only shrink, and the giver's slots only get fewer.
            var exhausted = new HashSet<(int Donor, int Taker)>();
            while (true)
            {
                var donor = NextDonor();
                if (donor < 0)
                {
                    return;
                }

                var draining = weight[donor] == 0;
                var need = draining ? double.PositiveInfinity : load[donor] - target[donor];
                var slot = -1;
                var receiver = -1;
                foreach (var r in TakersFor(donor))
                {
                    if (exhausted.Contains((donor, r)))
                    {
                        continue;
                    }

                    var room = target[r] - load[r];
                    var amount = Math.Min(need, room);
                    slot = draining ? PickForDrain(donor, r) : amount > 0 ? Pick(donor, r, amount) : -1;
                    if (slot >= 0)
                    {
                        receiver = r;
                        break;
                    }

                    if (draining || amount > 0)
                    {
                        exhausted.Add((donor, r));
                    }
                }

                if (slot < 0)
                {
                    stuck[donor] = true;
                    ReportStuck(donor);
                    continue;
                }

                Move(slot, donor, receiver);
                lastTaker[donor] = receiver;
            }

            int NextDonor()
            {
                var best = -1;
                var bestExcess = 0.0;
                var takersWithin = TakersWithin();
                for (var i = 0; i < count; i++)
                {
                    if (!giving[i] || stuck[i] || !Remaining(i).Any())
                    {
                        continue;
                    }

                    // Drained primaries first (they must end empty), then the biggest excess over the target.
                    var excess = weight[i] == 0 ? double.MaxValue : (load[i] - target[i]) / Math.Max(target[i], double.Epsilon);
                    var within = weight[i] > 0 && load[i] <= target[i] * (1 + goal.Threshold) && takersWithin;
                    if (!within && excess > bestExcess)
                    {
                        best = i;
                        bestExcess = excess;
                    }
                }

                return best;
            }

            // A giver within its band stops only once every taker is within its band too.
            bool TakersWithin() => Enumerable.Range(0, count).All(r => !taking[r] || load[r] >= target[r] * (1 - goal.Threshold));

            IEnumerable<int> TakersFor(int donor)
            {
                var sticky = lastTaker[donor];
                if (sticky >= 0 && load[sticky] < target[sticky])
                {
                    yield return sticky;
                }

                foreach (var r in Takers())
                {
                    if (r != sticky || load[sticky] >= target[sticky])
                    {
                        yield return r;
                    }
                }
            }

            IEnumerable<int> Takers() => Enumerable.Range(0, count)
                .Where(r => taking[r])
                .OrderByDescending(r => (target[r] - load[r]) / Math.Max(target[r], double.Epsilon))
                .ThenBy(r => nodes[r].Id, StringComparer.Ordinal);

            // The best slot of the giver for this pair that adds at most `amount`, or one that still narrows the gap.
            int Pick(int donor, int r, double amount)
            {
                var best = -1;
                foreach (var s in Remaining(donor))
                {
                    if (input.Load[s] <= 0 || input.Load[s] > amount * (1 + 1e-9) || !Fits(s, r))
                    {
                        continue;
                    }

                    best = s;
                    break;
                }

                if (best >= 0 && lastMoved.TryGetValue((donor, r), out var last) && last + 1 < SlotRange.SlotCount)
                {
                    var next = last + 1;
                    // A slot with no keys and no load costs nothing to take along and keeps the range whole.
                    var free = input.Load[next] <= 0 && input.Keys[next] == 0;
                    if (owner[next] == donor && !gone[next] && !lockedSlots.Contains(next) && input.Load[next] <= amount * (1 + 1e-9) && Fits(next, r) &&
                        (free || (input.Load[next] > 0 && Density(next) >= ContiguityTolerance * Density(best))))
                    {
                        best = next;
                    }
                }

                if (best >= 0)
                {
                    return best;
                }

                // Nothing fits within the amount: the smallest slot still helps when it leaves both sides closer to
                // their targets than the worse of them is now.
                var smallest = -1;
                foreach (var s in Remaining(donor))
                {
                    if (input.Load[s] > 0 && Fits(s, r) && (smallest < 0 || input.Load[s] < input.Load[smallest]))
                    {
                        smallest = s;
                    }
                }

                if (smallest < 0)
                {
                    return -1;
                }

                var v = input.Load[smallest];
                var worstNow = Math.Max(Deviation(donor, load[donor]), Deviation(r, load[r]));
                var worstAfter = Math.Max(Deviation(donor, load[donor] - v), Deviation(r, load[r] + v));
                return worstAfter < worstNow - 1e-12 ? smallest : -1;
            }

            // A drained giver gives every slot: the next one after the last moved to this taker if it fits, else its
            // best. Takers come most-room first, so a taker below its target is filled before one above it.
            int PickForDrain(int donor, int r)
            {
                if (lastMoved.TryGetValue((donor, r), out var last) && last + 1 < SlotRange.SlotCount)
                {
                    var next = last + 1;
                    if (owner[next] == donor && !gone[next] && !lockedSlots.Contains(next) && Fits(next, r))
                    {
                        return next;
                    }
                }

                foreach (var s in Remaining(donor))
                {
                    if (Fits(s, r))
                    {
                        return s;
                    }
                }

                return -1;
            }

            // The giver's slots not moved yet, best first (the cursor skips the moved ones at the front once).
            IEnumerable<int> Remaining(int donor)
            {
                var list = order[donor];
                while (cursor[donor] < list.Count && gone[list[cursor[donor]]])
                {
                    cursor[donor]++;
                }

                for (var i = cursor[donor]; i < list.Count; i++)
                {
                    if (!gone[list[i]])
                    {
                        yield return list[i];
                    }
                }
            }

            bool Fits(int slot, int r) =>
                nodes[r].MaxMemoryBytes <= 0 || memory[r] + (slot < 0 ? 0 : input.Bytes[slot]) <= nodes[r].MaxMemoryBytes * (1 - goal.MemoryHeadroom);

            double Deviation(int i, double value) => Math.Abs(value - target[i]) / Math.Max(target[i], double.Epsilon);

            void Move(int slot, int donor, int r)
            {
                gone[slot] = true;
                owner[slot] = r;
                load[donor] -= input.Load[slot];
                load[r] += input.Load[slot];
                memory[donor] -= input.Bytes[slot];
                memory[r] += input.Bytes[slot];
                slotsOf[donor].Remove(slot);
                slotsOf[r].Add(slot);
                if (!moved.TryGetValue((donor, r), out var list))
                {
                    moved[(donor, r)] = list = [];
                }

                list.Add(slot);
                lastMoved[(donor, r)] = slot;
            }

            void ReportStuck(int donor)
            {
                if (weight[donor] == 0)
                {
                    var left = order[donor].Count(s => !gone[s]);
                    warnings.Add($"{nodes[donor].Endpoint} cannot be emptied: {left} slot(s) fit on no other primary within its maxmemory and the {goal.MemoryHeadroom:P0} headroom");
                    return;
                }

                var biggest = order[donor].Where(s => !gone[s]).DefaultIfEmpty(-1).MaxBy(s => s < 0 ? 0 : input.Load[s]);
                if (biggest >= 0 && input.Load[biggest] > goal.Threshold * Math.Max(target[donor], double.Epsilon))
                {
                    warnings.Add($"slot {biggest} on {nodes[donor].Endpoint} alone holds {Describe(input.Load[biggest])}, more than the {goal.Threshold:P0} threshold of its target ({Describe(target[donor])}): it is left in place rather than chased around");
                }
                else if (load[donor] > target[donor] * (1 + goal.Threshold))
                {
                    warnings.Add($"{nodes[donor].Endpoint} stays above its target: no other primary can take its slots within its maxmemory and the {goal.MemoryHeadroom:P0} headroom");
                }
            }
        }

        double Density(int slot) => input.Load[slot] / (input.Keys[slot] + 1.0);

        double Imbalance(double[] loads, double[] weights)
        {
            var sharing = Enumerable.Range(0, count).Where(i => participates[i] && weights[i] > 0).ToList();
            var mean = sharing.Sum(i => weights[i]) is > 0 and var w ? totalLoad / w : 0;
            if (mean <= 0)
            {
                return 1.0;
            }

            return sharing.Select(i => loads[i] / weights[i] / mean).DefaultIfEmpty(1.0).Max();
        }

        string Describe(double value) => goal.Metric switch
        {
            PlanMetric.Slots => $"{value:0} slot(s)",
            PlanMetric.Keys => $"{value:N0} keys",
            PlanMetric.Memory => $"about {value / (1 << 20):0.0} MiB",
            PlanMetric.Cpu => $"{value:N0} µs/s of CPU",
            _ => $"{value:N0} B/s of network",
        };
    }
}
