using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Pki.KeyTransparency.Directory;

namespace Pki.KeyTransparency.Tests.Directory;

/// <summary>The combined tree (section 3.4), updating views (4.2), binary ladders (5), greatest- and fixed-version search (6, 7) and the search response (13.1).</summary>
public sealed class SearchTests
{
    [Fact]
    public void Implicit_search_tree_matches_the_drafts_examples()
    {
        Assert.Equal(31, ImplicitSearchTree.Root(50));
        Assert.Equal([31L, 47, 49], ImplicitSearchTree.Frontier(50));
        Assert.Equal([7L, 11, 12], ImplicitSearchTree.Frontier(13));
        Assert.Equal([7L, 11, 12], ImplicitSearchTree.UpdatePath(4, 13));
        Assert.Equal([11L, 12], ImplicitSearchTree.UpdatePath(8, 13));
        Assert.Equal([0L], ImplicitSearchTree.Frontier(1));
        Assert.Empty(ImplicitSearchTree.UpdatePath(13, 13));
    }

    [Property(MaxTest = 300)]
    public Property Update_path_and_retained_frontier_cover_the_new_frontier() =>
        Prop.ForAll(Gen.Choose(1, 5000).SelectMany(n => Gen.Choose(1, n).Select(old => (old, n))).ToArbitrary(), c =>
        {
            // What the client's Finish relies on: every new frontier entry is retained (old frontier) or gets a timestamp.
            var path = ImplicitSearchTree.UpdatePath(c.old, c.n);
            var retained = ImplicitSearchTree.Frontier(c.old);
            return path.SequenceEqual(path.Order()) && path.All(x => x >= c.old && x < c.n)
                && ImplicitSearchTree.Frontier(c.n).All(x => x < c.old ? retained.Contains(x) : path.Contains(x));
        });

    [Fact]
    public void Binary_ladder_versions_match_the_drafts_examples()
    {
        Assert.Equal([0u, 1, 3, 7, 5, 6], BinaryLadder.Versions(6));
        Assert.Equal([0u, 1, 3, 2], BinaryLadder.Versions(2));
        Assert.Equal([0u, 1], BinaryLadder.Versions(0));
        Assert.Equal(33, BinaryLadder.Versions(uint.MaxValue).Count);

        // Greatest version 6, target 6: the ladder runs to the end; target 2 ends at the inclusion of 3.
        Assert.Equal(LadderOutcome.Equal, BinaryLadder.Search(6, v => v <= 6));
        Assert.Equal(LadderOutcome.Greater, BinaryLadder.Search(2, v => v <= 6));
        Assert.Equal(LadderOutcome.Less, BinaryLadder.Search(7, v => v <= 6));
    }

    [Fact]
    public void Greatest_version_search_proof_has_the_contents_of_the_drafts_worked_example()
    {
        // Appendix C: 13 entries, the user last saw 4, greatest version 2, entry 11 the rightmost distinguished one.
        var log = new TestLog(reasonableMonitoringWindow: 1500);
        var label = Label(1);
        for (var i = 0; i < 13; i++)
        {
            log.Time.Advance(TimeSpan.FromSeconds(1));
            log.Directory.Update([i < 3 ? (label, Value(i)) : (Label(100 + i), Value(i))]);
            if (i == 3)
            {
                Assert.Equal(2u, log.Search(label).Version);
            }
        }

        var request = log.Client.CreateSearch(label);
        var response = log.Directory.Search(request);
        Assert.Equal(3, response.Search.Timestamps.Count);
        Assert.Equal([4, 1], response.Search.PrefixProofs.Select(p => p.Results.Count));
        Assert.Single(response.Search.PrefixRoots);
        Assert.Equal(4, response.Search.Inclusion.Elements.Count);
        AssertResult(2, Value(2), Unpack(log.Client.VerifySearch(request, response)));
        Assert.Equal(13, log.Client.Last!.TreeSize);
    }

    [Property(MaxTest = 12)]
    public Property Searches_of_random_directories_verify_and_return_the_stored_value() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var log = new TestLog(reasonableMonitoringWindow: (ulong)random.Next(0, 5000));
            var labels = Enumerable.Range(0, random.Next(2, 5)).Select(i => Label((seed % 1000) + i)).ToArray();
            var written = labels.ToDictionary(Encoding.ASCII.GetString, _ => new List<byte[]>());
            var updates = random.Next(1, 7);
            for (var u = 0; u < updates; u++)
            {
                log.Time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 3000)));
                var batch = Enumerable.Range(0, random.Next(1, 4)).Select(_ => labels[random.Next(labels.Length)]).Select(l => (l, Value(random.Next()))).ToList();
                log.Directory.Update(batch);
                foreach (var (l, v) in batch)
                {
                    written[Encoding.ASCII.GetString(l)].Add(v);
                }

                foreach (var l in labels.Where(l => written[Encoding.ASCII.GetString(l)].Count > 0).Take(2))
                {
                    var values = written[Encoding.ASCII.GetString(l)];
                    Assert.Equal((uint)(values.Count - 1), log.Search(l).Version);
                    Assert.Equal(values[^1], log.Search(l).Value);
                    var version = (uint)random.Next(values.Count);
                    Assert.Equal(values[(int)version], log.Search(l, version).Value);
                    Assert.Equal(values[(int)version], log.SearchFresh(l, version).Value);
                }
            }

            return log.Client.Last!.TreeSize == updates;
        });

    [Fact]
    public void P256_suite_searches_verify()
    {
        var log = new TestLog(reasonableMonitoringWindow: 0, KeyTransparencyCipherSuite.P256);
        log.Directory.Update([(Label(1), Value(1)), (Label(1), Value(2))]);
        log.Time.Advance(TimeSpan.FromSeconds(1));
        log.Directory.Update([(Label(2), Value(3))]);
        AssertResult(1, Value(2), log.Search(Label(1)));
        AssertResult(0, Value(1), log.Search(Label(1), 0));
    }

    [Fact]
    public void Same_head_is_accepted_when_nothing_changed()
    {
        var log = TestLog.WithEntries(5);
        log.Search(Label(1));
        var request = log.Client.CreateSearch(Label(1));
        var response = log.Directory.Search(request);
        Assert.Null(response.FullTreeHead.TreeHead);
        Assert.Empty(response.Search.Timestamps);
        Assert.Equal(Value(4), log.Client.VerifySearch(request, response).Value.Value);

        // A fixed-version search needs timestamps of entries off the frontier, but the head stays the same.
        AssertResult(0, Value(0), log.Search(Label(1), 0));
        Assert.Equal(5, log.Client.Last!.TreeSize);
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, null)]
    [InlineData(false, 1u)]
    [InlineData(true, 2u)]
    public void Every_tampered_proof_element_is_rejected_with_a_typed_reason(bool returning, uint? version)
    {
        var log = TestLog.WithEntries(9);
        if (returning)
        {
            log.Search(Label(1));
            log.Time.Advance(TimeSpan.FromSeconds(1));
            log.Directory.Update([(Label(1), Value(50)), (Label(2), Value(51))]);
            log.Time.Advance(TimeSpan.FromSeconds(1));
            log.Directory.Update([(Label(3), Value(52))]);
        }

        var request = log.Client.CreateSearch(Label(1), version);
        var response = log.Directory.Search(request);
        var before = log.Client.Last;
        var count = 0;
        var accepted = new List<string>();
        foreach (var (name, tampered) in Tamperings(response, version ?? response.Version!.Value))
        {
            count++;
            if (!DirectoryAssert.Rejects(() => log.Client.VerifySearch(request, tampered), Enum.GetValues<DirectoryProofFailure>().Where(f => f != DirectoryProofFailure.None).ToArray()))
            {
                accepted.Add(name);
            }

            Assert.True(ReferenceEquals(before, log.Client.Last), $"{name} changed the state");
        }

        Assert.Empty(accepted);
        Assert.True(count > 20, $"only {count} tamperings");
        log.Client.VerifySearch(request, response);
    }

    [Property(MaxTest = 40)]
    public Property A_flipped_bit_anywhere_in_the_encoded_response_is_rejected_or_changes_nothing_returned() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), bit =>
        {
            var response = FlipFixture.Response.Encode(FlipFixture.Log.Config);
            var flipped = DirectoryAssert.FlipBit(response, bit);
            var client = new DirectoryClient(FlipFixture.Log.Config, FlipFixture.Log.Config.CipherSuite.CreateVrf(), FlipFixture.Log.Time);
            try
            {
                var (version, value) = client.VerifySearch(FlipFixture.Request, SearchResponse.Decode(flipped, FlipFixture.Log.Config, FlipFixture.Request));

                // Only a commitment of a version above the target can go unused by the search.
                return version == 2 && value.Value.AsSpan().SequenceEqual(Value(4));
            }
            catch (DirectoryProofException e)
            {
                return e.Failure != DirectoryProofFailure.None && client.Last is null;
            }
        });

    [Fact]
    public void Search_messages_round_trip_and_reject_bad_encodings()
    {
        var request = new SearchRequest(12, Label(1), 3);
        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 0, 12, .. new byte[] { (byte)Label(1).Length }, .. Label(1), 1, 0, 0, 0, 3], request.Encode());
        Assert.Equivalent(request, SearchRequest.Decode(request.Encode()));
        Assert.Equal([0, 0, 0], new SearchRequest(null, [], null).Encode());
        DirectoryAssert.Throws(() => SearchRequest.Decode([2, 0, 0]), "last", DirectoryProofFailure.Malformed);

        var encoded = FlipFixture.Response.Encode(FlipFixture.Log.Config);
        var decoded = SearchResponse.Decode(encoded, FlipFixture.Log.Config, FlipFixture.Request);
        Assert.Equal(encoded, decoded.Encode(FlipFixture.Log.Config));
        DirectoryAssert.Throws(() => SearchResponse.Decode([.. encoded, 0], FlipFixture.Log.Config, FlipFixture.Request), null, DirectoryProofFailure.Malformed);
        DirectoryAssert.Throws(() => SearchResponse.Decode([3, .. encoded.AsSpan(1)], FlipFixture.Log.Config, FlipFixture.Request), "head_type", DirectoryProofFailure.Malformed);
    }

    [Fact]
    public void Fixed_version_search_skips_expired_entries_and_refuses_a_version_only_they_vouch_for()
    {
        // Entries every second, label 1 in the even ones; with a 5 s lifetime entries 0 to 4 of 10 are expired.
        var log = TestLog.WithEntries(10, maximumLifetime: 5000);
        AssertResult(4, Value(8), log.Search(Label(1)));
        AssertResult(3, Value(6), log.Search(Label(1), 3));
        AssertResult(2, Value(4), log.Search(Label(1), 2));
        Assert.Contains("expired", Assert.Throws<KeyNotFoundException>(() => log.Search(Label(1), 0)).Message, StringComparison.Ordinal);

        // A response from the same log without a lifetime, checked by a client that has one: the proof shape differs.
        var unlimited = TestLog.WithEntries(10);
        var client = new DirectoryClient(unlimited.Config with { MaximumLifetime = 5000 }, unlimited.Config.CipherSuite.CreateVrf(), unlimited.Time);
        var request = client.CreateSearch(Label(1), 0);
        var e = Assert.Throws<DirectoryProofException>(() => client.VerifySearch(request, unlimited.Directory.Search(request)));
        Assert.NotEqual(DirectoryProofFailure.None, e.Failure);
    }

    [Property(MaxTest = 8)]
    public Property Searches_with_a_maximum_lifetime_verify_or_are_refused_as_expired() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var log = new TestLog(reasonableMonitoringWindow: (ulong)random.Next(0, 3000), maximumLifetime: (ulong)random.Next(3001, 8000));
            var values = new List<byte[]>();
            for (var u = 0; u < random.Next(2, 12); u++)
            {
                log.Time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 2000)));
                var value = Value(random.Next());
                log.Directory.Update([(Label(1), value), (Label(2 + u), value)]);
                values.Add(value);
            }

            var served = 0;
            for (var v = 0; v < values.Count; v++)
            {
                try
                {
                    AssertResult((uint)v, values[v], log.SearchFresh(Label(1), (uint)v));
                    served++;
                }
                catch (KeyNotFoundException e) when (e.Message.Contains("expired", StringComparison.Ordinal))
                {
                }
            }

            return served >= 1;
        });

    [Fact]
    public void Wrong_version_is_rejected()
    {
        var log = TestLog.WithEntries(6);
        var request = log.Client.CreateSearch(Label(1));
        var response = log.Directory.Search(request);
        var older = log.Directory.Search(log.Client.CreateSearch(Label(1), 1));
        DirectoryAssert.Throws(() => log.Client.VerifySearch(request, response with { Version = response.Version - 1 }), null, DirectoryProofFailure.ProofLengthMismatch, DirectoryProofFailure.LadderMismatch, DirectoryProofFailure.Malformed);
        DirectoryAssert.Throws(() => log.Client.VerifySearch(request, response with { Version = response.Version + 1 }), null, DirectoryProofFailure.ProofLengthMismatch, DirectoryProofFailure.LadderMismatch, DirectoryProofFailure.Malformed);

        // A consistent answer for an older version presented as the greatest: its ladder ends with a greater version.
        DirectoryAssert.Throws(() => log.Client.VerifySearch(request, older with { Version = 1 }), null, DirectoryProofFailure.LadderMismatch, DirectoryProofFailure.ProofLengthMismatch);
        Assert.Null(log.Client.Last);
    }

    [Fact]
    public void Omitted_ladder_step_is_rejected()
    {
        var log = TestLog.WithEntries(6);
        var request = log.Client.CreateSearch(Label(1));
        var response = log.Directory.Search(request);
        DirectoryAssert.Throws(() => log.Client.VerifySearch(request, response with { BinaryLadder = response.BinaryLadder.Take(response.BinaryLadder.Count - 1).ToList() }), "binary ladder for version", DirectoryProofFailure.ProofLengthMismatch);
        var proofs = response.Search.PrefixProofs.ToList();
        var last = proofs[^1];
        proofs[^1] = last with { Results = last.Results.Take(last.Results.Count - 1).ToList() };
        DirectoryAssert.Throws(() => log.Client.VerifySearch(request, response with { Search = response.Search with { PrefixProofs = proofs } }), null, DirectoryProofFailure.ProofLengthMismatch);
    }

    [Fact]
    public void Head_that_does_not_extend_the_last_one_is_a_fork()
    {
        var log = TestLog.WithEntries(3);
        var fork = new TestLog(log);
        for (var i = 0; i < 5; i++)
        {
            fork.Directory.Update([(Label(1), Value(1000 + i))]);
        }

        log.Search(Label(1));
        var rootBefore = MerkleHex(log.Client.Last!.Root);
        var request = log.Client.CreateSearch(Label(1));
        var e = DirectoryAssert.Throws(() => log.Client.VerifySearch(request, fork.Directory.Search(request)), "last verified head of size 3", DirectoryProofFailure.ForkDetected);
        Assert.Contains(rootBefore, e.Message, StringComparison.Ordinal);
        Assert.Contains("size 5", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, log.Client.Last.TreeSize);

        // A smaller head than the last one seen.
        var small = TestLog.WithEntries(2, log);
        DirectoryAssert.Throws(() => log.Client.VerifySearch(request, small.Directory.Search(small.Client.CreateSearch(Label(1)))), "not greater than the last verified size 3", DirectoryProofFailure.ForkDetected);
    }

    [Fact]
    public void Stale_head_beyond_max_behind_is_rejected_and_a_head_from_the_future_too()
    {
        var log = TestLog.WithEntries(4);
        log.Search(Label(1));
        log.Time.Advance(TimeSpan.FromMilliseconds(TestLog.MaxBehind));
        log.Search(Label(1));
        log.Time.Advance(TimeSpan.FromMilliseconds(1));
        var request = log.Client.CreateSearch(Label(1));
        DirectoryAssert.Throws(() => log.Client.VerifySearch(request, log.Directory.Search(request)), $"max_behind is {TestLog.MaxBehind} ms", DirectoryProofFailure.TreeHeadStale);

        var ahead = TestLog.WithEntries(2);
        var lagging = new TestLog(ahead, clientTime: new FakeTimeProvider(ahead.Time.GetUtcNow() - TimeSpan.FromMilliseconds(TestLog.MaxAhead + 1)));
        var first = lagging.Client.CreateSearch(Label(1));
        DirectoryAssert.Throws(() => lagging.Client.VerifySearch(first, ahead.Directory.Search(first)), $"max_ahead is {TestLog.MaxAhead} ms", DirectoryProofFailure.TreeHeadAhead);
    }

    [Fact]
    public void Missing_label_or_version_and_unsupported_configurations_are_refused()
    {
        var log = TestLog.WithEntries(2);
        Assert.Throws<KeyNotFoundException>(() => log.Directory.Search(log.Client.CreateSearch(Label(99))));
        Assert.Contains("version 7 does not exist", Assert.Throws<KeyNotFoundException>(() => log.Directory.Search(log.Client.CreateSearch(Label(1), 7))).Message, StringComparison.Ordinal);
        Assert.Contains("greater than zero and than the Reasonable Monitoring Window", Assert.Throws<ArgumentException>(() => new DirectoryClient(log.Config with { MaximumLifetime = 5 }, log.Config.CipherSuite.CreateVrf(), log.Time)).Message, StringComparison.Ordinal);
        Assert.Contains("ThirdPartyManagement", Assert.Throws<ArgumentException>(() => new DirectoryClient(log.Config with { Mode = DeploymentMode.ThirdPartyManagement, LeafPublicKey = [1] }, log.Config.CipherSuite.CreateVrf(), log.Time)).Message, StringComparison.Ordinal);
    }

    // A commitment is checked when an inclusion proof uses it; commitments of versions above the target
    // may go unused by the search (nothing then depends on them), so only those below it are tampered with.
    private static IEnumerable<(string Name, SearchResponse Response)> Tamperings(SearchResponse r, uint target)
    {
        var versions = BinaryLadder.Versions(target);
        foreach (var (name, proof) in DirectoryAssert.Tamperings(r.Search))
        {
            yield return (name, r with { Search = proof });
        }

        for (var i = 0; i < r.BinaryLadder.Count; i++)
        {
            var step = r.BinaryLadder[i];
            yield return ($"VRF proof {i}", r with { BinaryLadder = Replace(r.BinaryLadder, i, step with { Proof = DirectoryAssert.FlipBit(step.Proof, i * 11) }) });
            if (step.Commitment is { } commitment && versions[i] < target)
            {
                yield return ($"commitment {i}", r with { BinaryLadder = Replace(r.BinaryLadder, i, step with { Commitment = DirectoryAssert.FlipBit(commitment, i) }) });
            }
        }

        yield return ("opening", r with { Opening = DirectoryAssert.FlipBit(r.Opening, 5) });
        yield return ("value", r with { Value = new UpdateValue(DirectoryAssert.FlipBit(r.Value.Value, 3)) });
        if (r.FullTreeHead.TreeHead is { } head)
        {
            yield return ("signature", r with { FullTreeHead = new FullTreeHead(head with { Signature = DirectoryAssert.FlipBit(head.Signature, 9) }) });
            yield return ("tree size", r with { FullTreeHead = new FullTreeHead(head with { TreeSize = head.TreeSize + 1 }) });
        }

    }

    private static IReadOnlyList<T> Replace<T>(IReadOnlyList<T> list, int index, T value) => DirectoryAssert.Replace(list, index, value);

    private static void AssertResult(uint version, byte[] value, (uint Version, byte[] Value) actual)
    {
        Assert.Equal(version, actual.Version);
        Assert.Equal(value, actual.Value);
    }

    private static string MerkleHex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    private static (uint, byte[]) Unpack((uint Version, UpdateValue Value) result) => TestLog.Unpack(result);

    private static byte[] Label(int i) => TestLog.Label(i);

    private static byte[] Value(int i) => TestLog.Value(i);

    // One fixed log for the bit-flip property: label 1 has versions 0 to 2 (values 0, 2, 4), 6 entries.
    private static class FlipFixture
    {
        public static readonly TestLog Log = TestLog.WithEntries(6);
        public static readonly SearchRequest Request = new(null, Label(1), null);
        public static readonly SearchResponse Response = Log.Directory.Search(Request);
    }
}
