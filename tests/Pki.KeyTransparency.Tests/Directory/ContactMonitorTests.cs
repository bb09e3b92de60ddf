using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pki.KeyTransparency.Directory;
using static Pki.KeyTransparency.Tests.Directory.TestLog;

namespace Pki.KeyTransparency.Tests.Directory;

/// <summary>Contact monitoring (draft-ietf-keytrans-protocol sections 8, 8.1, 8.2, 12.3.4 and 13.2).</summary>
public sealed class ContactMonitorTests
{
    [Fact]
    public void Distinguished_entries_and_the_direct_path_follow_section_6_1()
    {
        Assert.Equal([7L, 3, 5], ImplicitSearchTree.Ancestors(4, 8));
        Assert.Equal([3L, 5], ImplicitSearchTree.Ancestors(4, 6));
        Assert.Empty(ImplicitSearchTree.Ancestors(3, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImplicitSearchTree.Ancestors(6, 6));
        Assert.Equal([0u, 1, 3], BinaryLadder.MonitoringVersions(3));
        Assert.Equal([0u, 1, 3, 5], BinaryLadder.MonitoringVersions(5));
        Assert.Equal([0u, 1, 2], BinaryLadder.MonitoringVersions(2));
    }

    [Fact]
    public void A_version_found_right_of_the_distinguished_entries_is_monitored_up_to_one()
    {
        // Entries every second, RMW 2.5 s: in 5 entries label 1's version 2 is in entry 4, which is not
        // distinguished (its window is entries 3 to 4). With entry 5 the map moves up to 5 with a ladder there,
        // still not distinguished (window 3 to 5); with entries 6 and 7, entry 5 is (window 3 to 7), and
        // monitoring ends without another ladder.
        var log = TestLog.WithEntries(5);
        Assert.Equal(2u, log.Search(Label(1)).Version);
        Assert.Equal(new Dictionary<long, uint> { [4] = 2 }, log.Client.Monitoring(Label(1))!.Map);
        Assert.Null(log.Client.Monitoring(Label(2)));

        var same = log.Monitor(Label(1));
        Assert.Equal(new Dictionary<long, uint> { [4] = 2 }, same);

        log.Time.Advance(TimeSpan.FromSeconds(1));
        log.Directory.Update([(Label(2), Value(5))]);
        Assert.Equal(new Dictionary<long, uint> { [5] = 2 }, log.Monitor(Label(1)));

        for (var i = 6; i < 8; i++)
        {
            log.Time.Advance(TimeSpan.FromSeconds(1));
            log.Directory.Update([(Label(2), Value(i))]);
        }

        var request = log.Client.CreateContactMonitor(Label(1));
        var response = log.Directory.MonitorContact(request);
        Assert.Empty(response.Proof.PrefixProofs);
        Assert.Empty(log.Client.VerifyContactMonitor(request, response));
        Assert.Null(log.Client.Monitoring(Label(1)));
        Assert.Equal(8, log.Client.Last!.TreeSize);
        Assert.Contains("needs monitoring", Assert.Throws<InvalidOperationException>(() => log.Client.CreateContactMonitor(Label(1))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Looking_up_a_monitored_version_again_keeps_one_entry_for_it()
    {
        // Version 2 of label 1 is monitored at entry 4; after entry 5 a new search ends at entry 5, above it.
        var log = TestLog.WithEntries(5);
        log.Search(Label(1));
        log.Time.Advance(TimeSpan.FromSeconds(1));
        log.Directory.Update([(Label(2), Value(5))]);
        log.Search(Label(1));
        Assert.Equal(new Dictionary<long, uint> { [5] = 2 }, log.Client.Monitoring(Label(1))!.Map);
        Assert.Equal(new Dictionary<long, uint> { [5] = 2 }, log.Monitor(Label(1)));
    }

    [Property(MaxTest = 15)]
    public Property Monitoring_random_directories_verifies_and_ends_once_a_distinguished_entry_is_reached() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var rmw = (ulong)random.Next(1500, 6000);
            var log = new TestLog(reasonableMonitoringWindow: rmw);
            var labels = Enumerable.Range(0, 3).Select(i => Label(i + (seed % 100))).ToArray();
            var counts = new int[labels.Length];
            for (var u = 0; u < random.Next(4, 14); u++)
            {
                log.Time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 1000)));
                var l = random.Next(labels.Length);
                log.Directory.Update([(labels[l], Value(u)), (labels[random.Next(labels.Length)], Value(-u))]);
                counts[l]++;
                // The label just updated (its terminal entry is usually new), and sometimes a version of another.
                log.Search(labels[l]);
                var searched = random.Next(labels.Length);
                if (counts[searched] > 0 && random.Next(2) == 0)
                {
                    log.Search(labels[searched], random.Next(2) == 0 ? null : (uint)random.Next(counts[searched]));
                }

                foreach (var label in labels.Where(x => log.Client.Monitoring(x) is not null))
                {
                    Assert.All(log.Monitor(label), pair => Assert.True(pair.Key < log.Client.Last!.TreeSize));
                }
            }

            // Past the RMW, new entries establish distinguished ones above every monitored entry.
            for (var round = 0; round < 40 && labels.Any(x => log.Client.Monitoring(x) is not null); round++)
            {
                log.Time.Advance(TimeSpan.FromMilliseconds(rmw + 1));
                log.Directory.Update([(Label(10_000), Value(round))]);
                foreach (var label in labels.Where(x => log.Client.Monitoring(x) is not null))
                {
                    log.Monitor(label);
                }
            }

            return labels.All(x => log.Client.Monitoring(x) is null);
        });

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Every_tampered_monitoring_proof_element_is_rejected_and_changes_nothing(int added)
    {
        var log = TestLog.WithEntries(5);
        log.Search(Label(1));
        for (var i = 0; i < added; i++)
        {
            log.Time.Advance(TimeSpan.FromSeconds(1));
            log.Directory.Update([(Label(3), Value(100 + i))]);
        }

        var request = log.Client.CreateContactMonitor(Label(1));
        var response = log.Directory.MonitorContact(request);
        var (last, monitor) = (log.Client.Last, log.Client.Monitoring(Label(1)));
        var tamperings = DirectoryAssert.Tamperings(response);
        tamperings.Add(("same head", response with { FullTreeHead = new FullTreeHead(null) }));

        // Omitted ladder step: the last lookup of the last monitoring ladder.
        var proofs = response.Proof.PrefixProofs.ToList();
        proofs[^1] = proofs[^1] with { Results = proofs[^1].Results.Take(proofs[^1].Results.Count - 1).ToList() };
        tamperings.Add(("omitted ladder step", response with { Proof = response.Proof with { PrefixProofs = proofs } }));
        tamperings.Add(("omitted ladder", response with { Proof = response.Proof with { PrefixProofs = [] } }));

        Assert.True(tamperings.Count > 10, $"only {tamperings.Count} tamperings");
        Assert.Empty(DirectoryAssert.Accepted(tamperings, r => log.Client.VerifyContactMonitor(request, r)));
        Assert.Same(last, log.Client.Last);
        Assert.Same(monitor, log.Client.Monitoring(Label(1)));
        log.Client.VerifyContactMonitor(request, response);
    }

    [Fact]
    public void A_ladder_for_another_label_or_a_smaller_version_is_rejected()
    {
        // Label 1 and label 3 get the same history, so the log has an honest monitoring answer for each.
        var log = new TestLog(reasonableMonitoringWindow: 2500);
        for (var i = 0; i < 5; i++)
        {
            log.Time.Advance(TimeSpan.FromSeconds(1));
            log.Directory.Update(i % 2 == 0 ? [(Label(1), Value(i)), (Label(3), Value(i))] : [(Label(2), Value(i))]);
        }

        log.Search(Label(1));
        log.Time.Advance(TimeSpan.FromSeconds(1));
        log.Directory.Update([(Label(2), Value(9))]);
        var request = log.Client.CreateContactMonitor(Label(1));
        var other = log.Directory.MonitorContact(request with { Label = Label(3) });
        DirectoryAssert.Throws(() => log.Client.VerifyContactMonitor(request, other), null, DirectoryAssert.AnyFailure);

        // A log that proves only version 1 where the user saw version 2: the request it answers is refused by
        // the honest log (version 1 was added in entry 2, off entry 4's path), so the dishonest answer is a
        // ladder that shows version 2 absent.
        Assert.Contains("not on the direct path", Assert.Throws<ArgumentException>(() => log.Directory.MonitorContact(request with { Entries = [new MonitorMapEntry(4, 1)] })).Message, StringComparison.Ordinal);
        var honest = log.Directory.MonitorContact(request);
        var proof = honest.Proof.PrefixProofs[0];
        var hidden = proof with { Results = DirectoryAssert.Replace(proof.Results, proof.Results.Count - 1, proof.Results[^1] with { Type = PrefixSearchResultType.NonInclusionParent, Leaf = null }) };
        DirectoryAssert.Throws(() => log.Client.VerifyContactMonitor(request, honest with { Proof = honest.Proof with { PrefixProofs = [hidden] } }), null, DirectoryAssert.AnyFailure);
        Assert.Equal(new Dictionary<long, uint> { [4] = 2 }, log.Client.Monitoring(Label(1))!.Map);
    }

    [Fact]
    public void A_head_that_does_not_extend_the_last_one_is_a_fork()
    {
        // Two logs with the same keys, clock and history but their own commitment openings: their trees differ.
        var log = new TestLog(reasonableMonitoringWindow: 2500);
        var fork = new TestLog(log);
        for (var i = 0; i < 7; i++)
        {
            log.Time.Advance(TimeSpan.FromSeconds(1));
            log.Directory.Update([(Label(1 + (i % 2)), Value(i))]);
            fork.Directory.Update([(Label(1 + (i % 2)), Value(i))]);
            if (i == 4)
            {
                log.Search(Label(1));
            }
        }

        var request = log.Client.CreateContactMonitor(Label(1));
        DirectoryAssert.Throws(() => log.Client.VerifyContactMonitor(request, fork.Directory.MonitorContact(request)), "does not extend", DirectoryProofFailure.ForkDetected, DirectoryProofFailure.RetainedValueMismatch);
        Assert.Equal(5, log.Client.Last!.TreeSize);
        Assert.Equal(new Dictionary<long, uint> { [4] = 2 }, log.Client.Monitoring(Label(1))!.Map);
        Assert.Empty(log.Monitor(Label(1)));
    }

    [Fact]
    public void Bad_requests_are_refused_with_the_rule_they_break()
    {
        var log = TestLog.WithEntries(6);
        log.Search(Label(1));
        var request = log.Client.CreateContactMonitor(Label(1));
        Assert.Contains("not strictly ascending", Refuse(log, request with { Entries = [.. request.Entries, .. request.Entries] }), StringComparison.Ordinal);
        Assert.Contains("has 3 versions", Refuse(log, request with { Entries = [new MonitorMapEntry(5, 7)] }), StringComparison.Ordinal);
        Assert.Contains("beyond the advertised tree", Refuse(log, request with { Entries = [new MonitorMapEntry(9, 2)] }), StringComparison.Ordinal);
        Assert.Contains("advertises none", Refuse(log, request with { Last = null }), StringComparison.Ordinal);
        Assert.Contains("listed twice", Refuse(log, request with { Entries = [new MonitorMapEntry(3, 1), new MonitorMapEntry(5, 1)] }), StringComparison.Ordinal);

        // The client checks the request against its state.
        Assert.Throws<ArgumentException>(() => log.Client.VerifyContactMonitor(request with { Entries = [] }, log.Directory.MonitorContact(request)));
    }

    [Fact]
    public void Monitor_messages_round_trip_and_reject_bad_encodings()
    {
        var request = new ContactMonitorRequest(12, Label(1), [new MonitorMapEntry(4, 2), new MonitorMapEntry(9, 3)]);
        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 0, 12, (byte)Label(1).Length, .. Label(1), 2, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 3], request.Encode());
        var decoded = ContactMonitorRequest.Decode(request.Encode());
        Assert.Equal(request.Entries, decoded.Entries);
        Assert.Equal(request.Label, decoded.Label);
        DirectoryAssert.Throws(() => ContactMonitorRequest.Decode([.. request.Encode(), 0]), null, DirectoryProofFailure.Malformed);

        var log = TestLog.WithEntries(6);
        log.Search(Label(1));
        var response = log.Directory.MonitorContact(log.Client.CreateContactMonitor(Label(1)));
        var encoded = response.Encode();
        Assert.Equal(encoded, CombinedTreeResponse.Decode(encoded).Encode());
        DirectoryAssert.Throws(() => CombinedTreeResponse.Decode([3, .. encoded.AsSpan(1)]), "head_type", DirectoryProofFailure.Malformed);
        DirectoryAssert.Throws(() => CombinedTreeResponse.Decode(encoded.AsSpan(0, encoded.Length - 1)), null, DirectoryProofFailure.Malformed);
    }

    private static string Refuse(TestLog log, ContactMonitorRequest request) => Assert.Throws<ArgumentException>(() => log.Directory.MonitorContact(request)).Message;
}
