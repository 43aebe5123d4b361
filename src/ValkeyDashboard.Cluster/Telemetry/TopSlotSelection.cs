namespace ValkeyDashboard.Cluster.Telemetry;

/// <summary>Which slots a per-slot series covers: the largest values, so the series count is bounded. Pure.</summary>
public static class TopSlotSelection
{
    /// <summary>The slots of the <paramref name="count"/> largest non-zero values, largest first (ties: lower slot first).</summary>
    public static IReadOnlyList<int> Largest(IReadOnlyList<long> values, int count)
    {
        if (count <= 0)
        {
            return [];
        }

        // A bounded min-heap: one pass over the 16,384 values, no sort of all of them.
        var heap = new PriorityQueue<int, (long Value, int NegatedSlot)>(count + 1);
        for (var slot = 0; slot < values.Count; slot++)
        {
            var value = values[slot];
            if (value <= 0)
            {
                continue;
            }

            heap.Enqueue(slot, (value, -slot));
            if (heap.Count > count)
            {
                heap.Dequeue();
            }
        }

        var largest = new int[heap.Count];
        for (var i = largest.Length - 1; i >= 0; i--)
        {
            largest[i] = heap.Dequeue();
        }

        return largest;
    }
}
