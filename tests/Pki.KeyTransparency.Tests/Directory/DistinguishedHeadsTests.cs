using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pki.KeyTransparency.Directory;
using static Pki.KeyTransparency.Tests.Directory.TestLog;

namespace Pki.KeyTransparency.Tests.Directory;

/// <summary>Walking distinguished heads (draft-ietf-keytrans-protocol sections 10.1, 12.3.5 and 13.6).</summary>
public sealed class DistinguishedHeadsTests
{
    [Theory]
    [InlineData(3, null, new long[] { 3, 5, 7 })]
    [InlineData(10, null, new long[] { 0, 1, 3, 5, 7 })]
    [InlineData(10, 5L, new long[] { 7 })]
    [InlineData(10, 2L, new long[] { 3, 5, 7 })]
    [InlineData(1, null, new long[] { 7 })]
    public void The_walk_finds_the_recent_distinguished_entries(int recent, long? stop, long[] expected)
    {
        // Entries every second, RMW 2.5 s, 8 entries: 0, 1, 3, 5 and 7 are distinguished (2, 4 and 6 have 2 s windows).
        var log = TestLog.WithEntries(8);
        var heads = log.Distinguished(recent, (ulong?)stop);
        Assert.Equal(expected, heads.Select(h => h.Entry));
        Assert.All(heads, h => Assert.Equal(1_700_000_000_000UL + (1000UL * ((ulong)h.Entry + 1)), h.Timestamp));
        Assert.Equal(8, log.Client.Last!.TreeSize);

        // Again with the head known: the same entries, the same head, no new timestamps needed for the frontier.
        Assert.Equal(expected, log.Distinguished(recent, (ulong?)stop).Select(h => h.Entry));
    }

    [Fact]
    public void Expired_distinguished_entries_are_not_recent()
    {
        var log = TestLog.WithEntries(8, maximumLifetime: 4500);
        Assert.Equal([3L, 5, 7], log.Distinguished(10, null).Select(h => h.Entry));
    }

    [Property(MaxTest = 20)]
    public Property The_walk_of_random_logs_matches_a_literal_reading_of_section_6_1() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var rmw = (ulong)random.Next(0, 6000);
            var log = new TestLog(reasonableMonitoringWindow: rmw);
            var timestamps = new List<ulong>();
            var recent = random.Next(1, 11);
            for (var u = 0; u < random.Next(1, 40); u++)
            {
                log.Time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 3000)));
                log.Directory.Update([(Label(u), Value(u))]);
                timestamps.Add((ulong)log.Time.GetUtcNow().ToUnixTimeMilliseconds());
                if (random.Next(3) == 0)
                {
                    ulong? stop = random.Next(2) == 0 ? null : (ulong)random.Next(timestamps.Count);
                    var expected = Reference(timestamps, rmw).Where(x => stop is null || x > (long)stop).TakeLast(recent);
                    Assert.Equal(expected, log.Distinguished(recent, stop).Select(h => h.Entry));
                }
            }

            return log.Client.Last is null || log.Client.Last.TreeSize <= timestamps.Count;
        });

    [Fact]
    public void Every_tampered_walk_proof_element_is_rejected_and_changes_nothing()
    {
        var log = TestLog.WithEntries(5);
        log.Search(Label(1));
        for (var i = 0; i < 6; i++)
        {
            log.Time.Advance(TimeSpan.FromSeconds(1));
            log.Directory.Update([(Label(3), Value(i))]);
        }

        var request = log.Client.CreateDistinguished();
        var response = log.Directory.WalkDistinguished(request, 10);
        var last = log.Client.Last;
        var tamperings = DirectoryAssert.Tamperings(response);
        tamperings.Add(("older head", response with { FullTreeHead = new FullTreeHead(response.FullTreeHead.TreeHead! with { TreeSize = 5 }) }));
        Assert.True(tamperings.Count > 8, $"only {tamperings.Count} tamperings");
        Assert.Empty(DirectoryAssert.Accepted(tamperings, r => log.Client.VerifyDistinguished(request, r, 10)));
        Assert.Same(last, log.Client.Last);
        Assert.NotEmpty(log.Client.VerifyDistinguished(request, response, 10));
    }

    [Fact]
    public void Messages_round_trip_and_bad_arguments_are_refused()
    {
        var request = new DistinguishedRequest(9, 4);
        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 0, 9, 1, 0, 0, 0, 0, 0, 0, 0, 4], request.Encode());
        Assert.Equal(request, DistinguishedRequest.Decode(request.Encode()));
        Assert.Equal([0, 0], new DistinguishedRequest(null, null).Encode());
        DirectoryAssert.Throws(() => DistinguishedRequest.Decode([0, 0, 0]), null, DirectoryProofFailure.Malformed);

        var log = TestLog.WithEntries(3);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.Directory.WalkDistinguished(log.Client.CreateDistinguished(), 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.Directory.WalkDistinguished(log.Client.CreateDistinguished(), 0));
        Assert.Contains("this log has 1 to 3 entries", Assert.Throws<ArgumentException>(() => log.Directory.WalkDistinguished(new DistinguishedRequest(4, null), 3)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => log.Client.VerifyDistinguished(new DistinguishedRequest(2, null), log.Directory.WalkDistinguished(new DistinguishedRequest(2, null), 3), 3));
    }

    // Section 6.1 as written: recurse from the root with (0, rightmost timestamp), over every entry.
    private static List<long> Reference(List<ulong> timestamps, ulong rmw)
    {
        var n = timestamps.Count;
        var result = new List<long>();
        Visit(ImplicitSearchTree.Root(n), 0, timestamps[^1]);
        result.Sort();
        return result;

        void Visit(long x, ulong left, ulong right)
        {
            if (right - left < rmw)
            {
                return;
            }

            result.Add(x);
            if (ImplicitSearchTree.HasLeft(x))
            {
                Visit(ImplicitSearchTree.Left(x), left, timestamps[(int)x]);
            }

            if (ImplicitSearchTree.HasRight(x, n))
            {
                Visit(ImplicitSearchTree.Right(x, n), timestamps[(int)x], right);
            }
        }
    }
}
