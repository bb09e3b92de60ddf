using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pki.KeyTransparency.Directory;
using static Pki.KeyTransparency.Tests.Directory.TestLog;

namespace Pki.KeyTransparency.Tests.Directory;

/// <summary>Owner initialization and owner monitoring (draft-ietf-keytrans-protocol sections 8.3, 12.3, 13.3 and 13.4).</summary>
public sealed class OwnerMonitorTests
{
    private static readonly byte[] Alice = Label(1);

    [Fact]
    public void After_a_key_roll_the_owner_sees_both_versions_and_catches_a_version_it_did_not_make()
    {
        // Alice's version 0 in entry 0 and her key roll (version 1) in entry 2; others in between. The root (7) is distinguished.
        var log = TestLog.WithEntries(8);
        Init(log, Alice, 7, made: 3);
        Assert.Equal(new OwnerState(7, 3, log.Client.Owner(Alice)!.Versions), log.Client.Owner(Alice));
        Assert.Equal(BinaryLadder.Versions(3).Order(), log.Client.Owner(Alice)!.Versions.Keys.Order());
        Assert.Equal(new uint[] { 0, 1, 3 }, log.Client.Owner(Alice)!.Versions.Where(p => p.Value.Commitment is not null).Select(p => p.Key).Order());

        // Other labels move on; every new distinguished entry shows versions 0 to 3 of Alice's label and none above.
        Advance(log, 12, Label(2));
        var checkedEntries = MonitorUntilDone(log, Alice);
        Assert.NotEmpty(checkedEntries);
        Assert.All(checkedEntries, x => Assert.True(x > 7));
        Assert.Equal(checkedEntries[^1], log.Client.Owner(Alice)!.Start);

        // The directory inserts a version 4 that Alice did not make.
        log.Time.Advance(TimeSpan.FromSeconds(1));
        log.Directory.Update([(Alice, Value(99))]);
        Advance(log, 8, Label(2));
        var (last, owner) = (log.Client.Last, log.Client.Owner(Alice));
        DirectoryAssert.Throws(() => MonitorUntilDone(log, Alice), "above the expected greatest version 3", DirectoryProofFailure.UnexpectedVersion);
        Assert.Same(last, log.Client.Last);
        Assert.Same(owner, log.Client.Owner(Alice));
    }

    [Fact]
    public void A_directory_that_hides_the_owners_key_roll_is_caught()
    {
        // The directory never stored the version Alice made in entry 4 (her versions 0 to 3 in entries 0, 2, 4 and 6).
        var log = new TestLog(reasonableMonitoringWindow: 2500);
        for (var i = 0; i < 8; i++)
        {
            log.Time.Advance(TimeSpan.FromSeconds(1));
            log.Directory.Update([(i == 4 ? Label(2) : i % 2 == 0 ? Alice : Label(2), Value(i))]);
        }

        var request = log.Client.CreateOwnerInit(Alice, 7);
        DirectoryAssert.Throws(() => log.Client.VerifyOwnerInit(request, log.Directory.InitializeOwner(request), made: 3), "the owner made 3", DirectoryProofFailure.UnexpectedVersion);
        Assert.Null(log.Client.Last);
        Assert.Null(log.Client.Owner(Alice));

        // A log that claims the version but proves its absence: the ladder from the start shows a lesser greatest version.
        var honest = log.Directory.InitializeOwner(request);
        var claimed = honest with { GreatestVersions = [3] };
        DirectoryAssert.Throws(() => log.Client.VerifyOwnerInit(request, claimed, made: 3), null, DirectoryAssert.AnyFailure);
        Assert.Null(log.Client.Owner(Alice));
        log.Client.VerifyOwnerInit(request, honest, made: 2);
    }

    [Fact]
    public void An_owner_of_a_label_without_versions_catches_its_first_one()
    {
        var log = TestLog.WithEntries(8);
        Init(log, Label(5), 7, made: null);
        Assert.Equal([0u], log.Client.Owner(Label(5))!.Versions.Keys);
        Advance(log, 6, Label(2));
        Assert.NotEmpty(MonitorUntilDone(log, Label(5)));
        log.Directory.Update([(Label(5), Value(1))]);
        Advance(log, 6, Label(2));
        DirectoryAssert.Throws(() => MonitorUntilDone(log, Label(5)), "where none is expected", DirectoryProofFailure.UnexpectedVersion);
    }

    [Property(MaxTest = 12)]
    public Property Owner_initialization_and_monitoring_verify_on_random_directories() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var rmw = (ulong)random.Next(1500, 6000);
            var log = new TestLog(reasonableMonitoringWindow: rmw, maximumLifetime: random.Next(2) == 0 ? null : rmw * 3);
            var labels = Enumerable.Range(0, 3).Select(i => Label(i + (seed % 100))).ToArray();
            var entries = labels.Select(_ => new List<long>()).ToArray();
            for (var u = 0; u < random.Next(3, 20); u++)
            {
                log.Time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 1500)));
                var l = random.Next(labels.Length);
                entries[l].Add(log.Directory.TreeSize);
                log.Directory.Update([(labels[l], Value(u))]);
            }

            // A recent (unexpired) distinguished entry as the start; the owner made the versions up to it.
            var heads = log.Distinguished(10, null);
            var start = heads[random.Next(heads.Count)].Entry;
            var owned = random.Next(labels.Length);
            var count = entries[owned].Count(x => x <= start);
            Init(log, labels[owned], (ulong)start, count == 0 ? null : (uint)(count - 1));

            // Later entries of other labels only: monitoring verifies and moves the start right.
            for (var round = 0; round < 6; round++)
            {
                log.Time.Advance(TimeSpan.FromMilliseconds(random.Next(0, (int)rmw * 2)));
                log.Directory.Update([(labels[(owned + 1) % labels.Length], Value(round))]);
                if (entries[owned].Any(x => x > start))
                {
                    // Versions after the start would need label updates (section 9); the owner sees them as unexpected.
                    Assert.True(DirectoryAssert.Rejects(() => MonitorUntilDone(log, labels[owned]), DirectoryProofFailure.UnexpectedVersion) || log.Client.Owner(labels[owned])!.Start < entries[owned].Max());
                }
                else
                {
                    MonitorUntilDone(log, labels[owned]);
                }
            }

            return log.Client.Owner(labels[owned])!.Start >= start;
        });

    [Fact]
    public void Every_tampered_owner_answer_is_rejected_and_changes_nothing()
    {
        var log = TestLog.WithEntries(12);
        var request = log.Client.CreateOwnerInit(Alice, 11);
        var response = log.Directory.InitializeOwner(request);
        Assert.True(response.GreatestVersions.Count > 1, "a start with a left ancestor where the label exists");
        var tamperings = DirectoryAssert.Tamperings(new CombinedTreeResponse(response.FullTreeHead, response.Init))
            .Select(t => (t.Name, response with { FullTreeHead = t.Response.FullTreeHead, Init = t.Response.Proof })).ToList();
        // Step versions ascending; a commitment that no ladder shows included (here version 4) cannot be checked, and is not kept.
        var stepVersions = response.GreatestVersions.SelectMany(BinaryLadder.Versions).Append(0u).Distinct().Order().ToList();
        Assert.Contains(4u, stepVersions);
        Assert.DoesNotContain(4u, BinaryLadder.Versions(response.GreatestVersions[0]));
        for (var i = 0; i < response.BinaryLadder.Count; i++)
        {
            var step = response.BinaryLadder[i];
            tamperings.Add(($"vrf proof {i}", response with { BinaryLadder = DirectoryAssert.Replace(response.BinaryLadder, i, step with { Proof = DirectoryAssert.FlipBit(step.Proof, 3 + i) }) }));
            if (step.Commitment is { } commitment && BinaryLadder.Versions(response.GreatestVersions[0]).Contains(stepVersions[i]))
            {
                tamperings.Add(($"commitment {i}", response with { BinaryLadder = DirectoryAssert.Replace(response.BinaryLadder, i, step with { Commitment = DirectoryAssert.FlipBit(commitment, i) }) }));
            }
        }

        tamperings.Add(("omitted ladder step", response with { BinaryLadder = response.BinaryLadder.Skip(1).ToList() }));
        tamperings.Add(("omitted greatest version", response with { GreatestVersions = response.GreatestVersions.Take(1).ToList() }));
        tamperings.Add(("ascending greatest versions", response with { GreatestVersions = response.GreatestVersions.Reverse().ToList() }));
        Assert.Empty(DirectoryAssert.Accepted(tamperings, r => new TestLog(log).Client.VerifyOwnerInit(request, r, made: response.GreatestVersions[0])));
        Assert.Null(log.Client.Last);
        Assert.Null(log.Client.Owner(Alice));
        log.Client.VerifyOwnerInit(request, response, made: response.GreatestVersions[0]);

        Advance(log, 10, Label(2));
        var monitorRequest = log.Client.CreateOwnerMonitor(Alice);
        var monitor = log.Directory.MonitorOwner(monitorRequest, 10);
        Assert.True(monitor.Proof.PrefixProofs.Count > 1);
        var (last, owner) = (log.Client.Last, log.Client.Owner(Alice));
        var monitorTamperings = DirectoryAssert.Tamperings(monitor);
        var proofs = monitor.Proof.PrefixProofs.ToList();
        proofs[0] = proofs[0] with { Results = proofs[0].Results.Take(proofs[0].Results.Count - 1).ToList() };
        monitorTamperings.Add(("omitted ladder step", monitor with { Proof = monitor.Proof with { PrefixProofs = proofs } }));
        monitorTamperings.Add(("omitted first ladder", monitor with { Proof = monitor.Proof with { PrefixProofs = monitor.Proof.PrefixProofs.Skip(1).ToList() } }));
        Assert.Empty(DirectoryAssert.Accepted(monitorTamperings, r => log.Client.VerifyOwnerMonitor(monitorRequest, r)));
        Assert.Same(last, log.Client.Last);
        Assert.Same(owner, log.Client.Owner(Alice));
        Assert.Equal(monitor.Proof.PrefixProofs.Count, log.Client.VerifyOwnerMonitor(monitorRequest, monitor).Count);
    }

    [Fact]
    public void Bad_owner_requests_are_refused()
    {
        var log = TestLog.WithEntries(8);
        Assert.Contains("not an unexpired distinguished", Assert.Throws<ArgumentException>(() => log.Directory.InitializeOwner(log.Client.CreateOwnerInit(Alice, 6))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => log.Directory.InitializeOwner(log.Client.CreateOwnerInit(Alice, 8)));
        Init(log, Alice, 7, made: 3);
        var request = log.Client.CreateOwnerMonitor(Alice);
        Assert.Contains("above greatest_version", Assert.Throws<ArgumentException>(() => log.Directory.MonitorOwner(request with { GreatestVersion = 2 }, 5)).Message, StringComparison.Ordinal);
        Assert.Contains("not implemented", Assert.Throws<ArgumentException>(() => log.Directory.MonitorOwner(request with { Entries = [new MonitorMapEntry(7, 3)] }, 5)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => log.Client.VerifyOwnerMonitor(request with { Start = 3 }, log.Directory.MonitorOwner(request, 5)));
        Assert.Throws<InvalidOperationException>(() => log.Client.CreateOwnerMonitor(Label(2)));
    }

    private static void Init(TestLog log, byte[] label, ulong start, uint? made)
    {
        var request = log.Client.CreateOwnerInit(label, start);
        log.Client.VerifyOwnerInit(request, log.Directory.InitializeOwner(request), made);
    }

    private static void Advance(TestLog log, int entries, byte[] label)
    {
        for (var i = 0; i < entries; i++)
        {
            log.Time.Advance(TimeSpan.FromSeconds(1));
            log.Directory.Update([(label, Value(1000 + i))]);
        }
    }

    // Owner monitoring, two ladders per response, until a response checks nothing more.
    private static List<long> MonitorUntilDone(TestLog log, byte[] label)
    {
        var all = new List<long>();
        while (true)
        {
            var request = log.Client.CreateOwnerMonitor(label);
            var checkedEntries = log.Client.VerifyOwnerMonitor(request, log.Directory.MonitorOwner(request, 2));
            if (checkedEntries.Count == 0)
            {
                return all;
            }

            all.AddRange(checkedEntries);
        }
    }
}
