using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Doctor;
using ValkeyDashboard.Cluster.Doctor.Checks;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>
/// The doctor's checks as pure functions of what was observed, on replies captured from Valkey 9.1.2 and on states the
/// test machine cannot produce for real (two server versions, a failed primary that still owns slots).
/// </summary>
public class DoctorChecksTests
{
    private const string P1 = "fc6cf64908f10e627531fa9cd7f682452652871a", P2 = "1060beeee136a30a75e457cb2cd53719baf4593d",
        P3 = "59e4e02a31fe49c15ae95112474cefda7448c158", Gone = "3ff120aaeafbbef166ba5c90528f5e1e922b1716";

    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1796039500);

    /// <summary>CLUSTER NODES of 127.0.0.1:22501 with a node MEETed and then killed (Valkey 9.1.2).</summary>
    private const string CapturedNodes = """
        3ff120aaeafbbef166ba5c90528f5e1e922b1716 127.0.0.1:22504@32504 master,fail - 1796039415340 1796039414837 0 disconnected
        59e4e02a31fe49c15ae95112474cefda7448c158 127.0.0.1:22503@32503 master - 0 1796039419069 3 connected 10923-16383
        1060beeee136a30a75e457cb2cd53719baf4593d 127.0.0.1:22502@32502 master - 0 1796039419069 4 connected 0-100 5461-10922
        fc6cf64908f10e627531fa9cd7f682452652871a 127.0.0.1:22501@32501 myself,master - 0 0 1 connected 101-5460 [5461->-1060beeee136a30a75e457cb2cd53719baf4593d]

        """;

    [Fact]
    public void Cluster_nodes_lines_give_flags_addresses_and_slots_without_open_slot_markers()
    {
        var entries = ClusterNodesParser.Parse(CapturedNodes);

        Assert.Equal(4, entries.Length);
        var gone = entries[0];
        Assert.True(gone.IsFailed && gone.IsPrimary && !gone.Connected && gone.Slots.IsEmpty);
        Assert.Equal("127.0.0.1:22504", gone.Endpoint);
        Assert.Equal("0-100,5461-10922", entries[2].Slots.ToString());
        var myself = Assert.Single(entries, e => e.IsMyself);
        Assert.Equal("101-5460", myself.Slots.ToString());
        Assert.Equal("127.0.0.1", myself.Host);
    }

    [Fact]
    public void A_line_with_too_few_fields_is_a_reply_error()
    {
        var error = Assert.Throws<ValkeyReplyException>(() => ClusterNodesParser.Parse("abc 127.0.0.1:1@2 master"));

        Assert.Contains("expected at least 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nodes_of_two_versions_are_named_per_version()
    {
        var observations = Observe(
            Snapshot(Node(P1, "10.0.0.1:6379", null, "0-8191") with { Version = "9.1.2" }, Node(P2, "10.0.0.2:6379", null, "8192-16383") with { Version = "8.0.1" }));

        var finding = Assert.Single(new MixedVersionsCheck().Check(observations));

        Assert.Equal(DoctorSeverity.Warning, finding.Severity);
        Assert.Contains("Valkey 8.0.1 on 10.0.0.2:6379; Valkey 9.1.2 on 10.0.0.1:6379", finding.Message, StringComparison.Ordinal);
        Assert.Empty(new MixedVersionsCheck().Check(Observe(Snapshot(Node(P1, "10.0.0.1:6379", null, "0-16383")))));
    }

    [Fact]
    public void A_failed_primary_that_still_owns_slots_is_an_error_without_fix_and_one_without_slots_is_forgotten_everywhere()
    {
        var view = ClusterNodesParser.Parse(CapturedNodes.Replace("master,fail - 1796039415340 1796039414837 0 disconnected", "master,fail - 1 1 0 disconnected 16000", StringComparison.Ordinal));
        var withSlots = Assert.Single(new FailedNodesCheck().Check(Observe(Snapshot(Node(P1, "127.0.0.1:22501", null, "101-5460")), (P1, view))));
        Assert.Equal(DoctorSeverity.Error, withSlots.Severity);
        Assert.Null(withSlots.Fix);
        Assert.Contains("still owns slots 16000", withSlots.Message, StringComparison.Ordinal);

        var snapshot = Snapshot(Node(P1, "127.0.0.1:22501", null, "101-5460"), Node(P2, "127.0.0.1:22502", null, "0-100"));
        var finding = Assert.Single(new FailedNodesCheck().Check(Observe(snapshot, (P1, ClusterNodesParser.Parse(CapturedNodes)), (P2, ClusterNodesParser.Parse(CapturedNodes)))));
        var fix = Assert.IsType<FixedStepsFix>(finding.Fix);
        Assert.Equal(["127.0.0.1:22501: CLUSTER FORGET " + Gone, "127.0.0.1:22502: CLUSTER FORGET " + Gone], fix.Steps.SelectMany(s => s.Commands).Select(c => c.Text));
        Assert.Equal(finding.Id, Assert.Single(new FailedNodesCheck().Check(Observe(snapshot, (P1, ClusterNodesParser.Parse(CapturedNodes))))).Id);
    }

    [Fact]
    public void An_unfinished_job_counts_as_stalled_once_its_state_is_older_than_the_limit_whatever_its_acknowledgements()
    {
        var snapshot = Snapshot(Node(P1, "127.0.0.1:22501", null, "0-5460"), Node(P2, "127.0.0.1:22502", null, "5461-16383"));
        SlotMigrationLogEntry Job(long updatedSecondsAgo, string state) => new("job1", SlotMigrationOperation.Export, SlotRangeSet.Parse("0-100"), P1, P2,
            Now.AddSeconds(-600), Now.AddSeconds(-updatedSecondsAgo), Now.AddSeconds(-1), state, string.Empty, 0, 0);
        DoctorObservations With(SlotMigrationLogEntry job) => Observe(snapshot) with
        {
            Nodes = ImmutableDictionary.CreateRange(StringComparer.OrdinalIgnoreCase, [KeyValuePair.Create(P1, new NodeObservation(snapshot.Nodes[0], ClusterNodesParser.Parse(CapturedNodes), "yes", [job]))]),
        };

        var stalled = Assert.Single(new StalledMigrationCheck().Check(With(Job(301, "waiting-to-pause"))));
        Assert.Equal([P1, P2], stalled.NodeIds.AsEnumerable());
        Assert.Contains("in state waiting-to-pause for 301 s without progress; the other side last answered 1 s ago", stalled.Message, StringComparison.Ordinal);
        Assert.Empty(new StalledMigrationCheck().Check(With(Job(299, "waiting-to-pause"))));
        Assert.Empty(new StalledMigrationCheck().Check(With(Job(900, "success"))));
    }

    [Fact]
    public void A_stalled_job_whose_entries_lack_the_node_ids_is_named_by_the_nodes_that_report_it()
    {
        var snapshot = Snapshot(Node(P1, "127.0.0.1:22501", null, "0-5460"), Node(P2, "127.0.0.1:22502", null, "5461-16383"));
        SlotMigrationLogEntry Job(SlotMigrationOperation operation) => new("job1", operation, SlotRangeSet.Parse("0-9"), string.Empty, string.Empty,
            Now.AddSeconds(-600), Now.AddSeconds(-400), null, "waiting-to-pause", string.Empty, 0, 0);
        var p2View = ViewOfP2();
        var observations = Observe(snapshot) with
        {
            Nodes = ImmutableDictionary.CreateRange(StringComparer.OrdinalIgnoreCase,
            [
                KeyValuePair.Create(P1, new NodeObservation(snapshot.Nodes[0], ClusterNodesParser.Parse(CapturedNodes), "yes", [Job(SlotMigrationOperation.Export)])),
                KeyValuePair.Create(P2, new NodeObservation(snapshot.Nodes[1], p2View, "yes", [Job(SlotMigrationOperation.Import)])),
            ]),
        };

        var stalled = Assert.Single(new StalledMigrationCheck().Check(observations));

        Assert.Equal([P1, P2], stalled.NodeIds.AsEnumerable());
        Assert.Contains("from 127.0.0.1:22501 to 127.0.0.1:22502 has been in state waiting-to-pause", stalled.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replicas_copy_of_a_job_is_no_sign_of_a_stall_only_the_primaries_entries_are()
    {
        // 127.0.0.1:22504 replicates the target; its entry is the copy captured from a replica of a held job's target.
        const string R2 = "5c0a2a0f6f3f3e5e5e0d6b1c4b7c0e6a1d2e3f40";
        var snapshot = Snapshot(Node(P1, "127.0.0.1:22501", null, "0-5460"), Node(P2, "127.0.0.1:22502", null, "5461-16383"), Node(R2, "127.0.0.1:22504", P2, null));
        var copy = Assert.Single(SlotMigrationLogParser.Parse(CapturedReplies.Load("getslotmigrations-replica.resp")));
        copy = copy with { LastUpdatedAt = Now.AddSeconds(-600) };
        SlotMigrationLogEntry Primary(SlotMigrationOperation operation, long updatedSecondsAgo) => new(copy.Name, operation, copy.Slots, P1, P2,
            Now.AddSeconds(-700), Now.AddSeconds(-updatedSecondsAgo), Now.AddSeconds(-1), operation == SlotMigrationOperation.Export ? "waiting-to-pause" : "waiting-for-paused", string.Empty, 0, 0);
        DoctorObservations With(long primariesUpdatedSecondsAgo) => Observe(snapshot) with
        {
            Nodes = ImmutableDictionary.CreateRange(StringComparer.OrdinalIgnoreCase,
            [
                KeyValuePair.Create(P1, new NodeObservation(snapshot.Nodes[0], ClusterNodesParser.Parse(CapturedNodes), "yes", [Primary(SlotMigrationOperation.Export, primariesUpdatedSecondsAgo)])),
                KeyValuePair.Create(P2, new NodeObservation(snapshot.Nodes[1], ViewOfP2(), "yes", [Primary(SlotMigrationOperation.Import, primariesUpdatedSecondsAgo)])),
                KeyValuePair.Create(R2, new NodeObservation(snapshot.Nodes[2], ClusterNodesParser.Parse(CapturedNodes), null, [copy])),
            ]),
        };

        Assert.True(copy.IsReplicaCopy);
        Assert.Empty(new StalledMigrationCheck().Check(With(primariesUpdatedSecondsAgo: 10)));

        var stalled = Assert.Single(new StalledMigrationCheck().Check(With(primariesUpdatedSecondsAgo: 400)));
        Assert.Equal([P1, P2], stalled.NodeIds.AsEnumerable());
        Assert.Contains("of slots 40-49 from 127.0.0.1:22501 to 127.0.0.1:22502 has been in state waiting-to-pause for 400 s", stalled.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assigning_unassigned_slots_defaults_to_the_primary_with_fewest_slots_and_refuses_one_that_is_not_a_primary()
    {
        var fix = new AssignSlotsFix("assign-slots-x", SlotRangeSet.Parse("0-9,20"),
            [new("a", "127.0.0.1:7000", 5000), new("b", "127.0.0.1:7001", 4000)], []);

        var steps = await fix.PlanAsync(DoctorFixRequest.Default, new NoKeys(), CancellationToken.None);

        Assert.Equal(["127.0.0.1:7001: CLUSTER ADDSLOTSRANGE 0 9", "127.0.0.1:7001: CLUSTER ADDSLOTSRANGE 20 20"], steps.SelectMany(s => s.Commands).Select(c => c.Text));
        var refusal = await Assert.ThrowsAsync<RequestRefusedException>(() => fix.PlanAsync(new DoctorFixRequest("c"), new NoKeys(), CancellationToken.None));
        Assert.Equal(RefusalKind.Invalid, refusal.Kind);
        Assert.Contains("is not an online primary", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_slot_left_migrating_is_an_error_naming_both_nodes_with_a_repair_unless_this_dashboard_is_moving_it()
    {
        var snapshot = Snapshot(Node(P1, "127.0.0.1:22501", null, "101-5460"), Node(P2, "127.0.0.1:22502", null, "0-100,5461-10922"));
        var p2View = ViewOfP2();
        var observations = Observe(snapshot, (P1, ClusterNodesParser.Parse(CapturedNodes)), (P2, p2View));

        var finding = Assert.Single(new OpenSlotsCheck().Check(observations));

        Assert.Equal((DoctorKinds.OpenSlot, DoctorSeverity.Error, "5461"), (finding.Kind, finding.Severity, finding.Slots.ToString()));
        Assert.Equal([P1, P2], finding.NodeIds.AsEnumerable());
        Assert.Contains("Slot 5461 (served by 127.0.0.1:22502) was left open by a key-by-key move that did not end: 127.0.0.1:22501 marks it migrating to 127.0.0.1:22502.", finding.Message, StringComparison.Ordinal);
        Assert.StartsWith("settle-open-slot-", Assert.IsType<OpenSlotRepairFix>(finding.Fix).Id, StringComparison.Ordinal);
        Assert.Empty(new OpenSlotsCheck().Check(observations with { SlotsBeingMoved = SlotRangeSet.Parse("5000-5999") }));
    }

    [Fact]
    public void An_open_slot_has_no_fix_while_a_primary_does_not_answer_because_it_may_hold_the_slot_s_keys()
    {
        var snapshot = Snapshot(Node(P1, "127.0.0.1:22501", null, "101-5460"), Node(P2, "127.0.0.1:22502", null, "0-100,5461-10922"));
        var answered = Observe(snapshot, (P1, ClusterNodesParser.Parse(CapturedNodes)));
        var observations = answered with
        {
            Nodes = answered.Nodes.Add(P2, new NodeObservation(snapshot.FindNode(P2)!, [], null, [], "Timeout awaiting response")),
        };

        var finding = Assert.Single(new OpenSlotsCheck().Check(observations));
        var notAsked = Assert.Single(new OpenSlotsCheck().Check(answered));

        Assert.Null(finding.Fix);
        Assert.Null(notAsked.Fix);
        Assert.Contains("127.0.0.1:22502 did not answer, so where the slot's keys are cannot be known and no fix is offered until every primary answers.", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_slot_two_primaries_mark_migrating_has_no_fix_and_says_what_to_do()
    {
        var snapshot = Snapshot(Node(P1, "127.0.0.1:22501", null, "101-5460"), Node(P2, "127.0.0.1:22502", null, "0-100,5461-10922"));
        var p2View = ClusterNodesParser.Parse(CapturedNodes
            .Replace(" myself,master", " master", StringComparison.Ordinal)
            .Replace("127.0.0.1:22502@32502 master - 0 1796039419069 4 connected 0-100 5461-10922",
                $"127.0.0.1:22502@32502 myself,master - 0 0 4 connected 0-100 5461-10922 [5461->-{P3}]", StringComparison.Ordinal));

        var finding = Assert.Single(new OpenSlotsCheck().Check(Observe(snapshot, (P1, ClusterNodesParser.Parse(CapturedNodes)), (P2, p2View))));

        Assert.Null(finding.Fix);
        Assert.Equal([P1, P2], finding.NodeIds.AsEnumerable());
        Assert.Contains("(served by 127.0.0.1:22502)", finding.Message, StringComparison.Ordinal);
        Assert.Contains("No automatic repair is safe: slot 5461 is migrating on 2 and importing on 0 nodes", finding.Message, StringComparison.Ordinal);
        Assert.Contains("CLUSTER SETSLOT 5461 NODE <owner-id> on every primary", finding.Message, StringComparison.Ordinal);
    }

    private sealed class NoKeys : IDoctorProbe
    {
        public Task<long> CountKeysAsync(string endpoint, SlotRangeSet slots, CancellationToken cancellationToken) => Task.FromResult(0L);

        public Task<ValkeyDashboard.Cluster.Migrations.OpenSlots.OpenSlotRepair> PlanRepairAsync(
            ValkeyDashboard.Cluster.Migrations.OpenSlots.OpenSlot slot, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a repair reads a real cluster: the open-slot fix is tested against one");
    }

    private static DoctorObservations Observe(ClusterSnapshot snapshot, params (string Id, ImmutableArray<ClusterNodesEntry> View)[] views) => new(
        snapshot,
        views.ToImmutableDictionary(v => v.Id, v => new NodeObservation(snapshot.FindNode(v.Id)!, v.View, "yes", []), StringComparer.OrdinalIgnoreCase),
        Now,
        new DoctorOptions());

    private static ClusterNode Node(string id, string endpoint, string? primaryId, string? slots) =>
        new(id, endpoint, primaryId is null ? NodeRole.Primary : NodeRole.Replica, primaryId, NodeHealth.Online, "9.1.2",
            slots is null ? SlotRangeSet.Empty : SlotRangeSet.Parse(slots), 0, 0, 0, "shard-" + (primaryId ?? id), 0) { Product = ServerProduct.Valkey };

    /// <summary>The captured <c>CLUSTER NODES</c> as the second primary (127.0.0.1:22502) answers it: the same lines, <c>myself</c> moved.</summary>
    private static ImmutableArray<ClusterNodesEntry> ViewOfP2() => ClusterNodesParser.Parse(CapturedNodes
        .Replace(" myself,master", " master", StringComparison.Ordinal)
        .Replace("127.0.0.1:22502@32502 master", "127.0.0.1:22502@32502 myself,master", StringComparison.Ordinal));

    private static ClusterSnapshot Snapshot(params ClusterNode[] nodes) => ClusterSnapshot.Initial with { State = ClusterState.Ok, Nodes = [.. nodes] };
}
