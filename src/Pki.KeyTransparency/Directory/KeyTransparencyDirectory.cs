using System.Security.Cryptography;
using Pki.KeyTransparency.Merkle;
using Pki.KeyTransparency.Vrf;
using static Pki.KeyTransparency.Merkle.MerkleProofVerifier;

namespace Pki.KeyTransparency.Directory;

/// <summary>
/// An in-memory Transparency Log over the combined tree (draft-ietf-keytrans-protocol section 3.4): each
/// update batch becomes one prefix tree version and one log entry <c>(timestamp, prefix tree root)</c>
/// under a newly signed tree head; searches are answered with the proofs of section 13.1. Contact
/// Monitoring mode only; one writer at a time. Expired entries are not pruned, only skipped by searches.
/// </summary>
internal sealed class KeyTransparencyDirectory
{
    private readonly LogConfiguration _config;
    private readonly IVrf _vrf;
    private readonly VrfKeyPair _vrfKey;
    private readonly Func<ulong, byte[], TreeHead> _signHead;
    private readonly TimeProvider _time;
    private readonly RandomNumberGenerator? _random;
    private readonly MerkleLog _log = new(KeyTransparencyLogHasher.Sha256);
    private readonly List<(ulong Timestamp, PrefixLeaf[] Batch)> _entries = [];
    private readonly PrefixTree _current = new();
    private readonly Dictionary<long, PrefixTree> _snapshots = [];
    private readonly Dictionary<string, List<StoredVersion>> _labels = new(StringComparer.Ordinal);

    /// <summary>Creates an empty log.</summary>
    /// <param name="config">The log's configuration; Contact Monitoring.</param>
    /// <param name="vrf">The suite's VRF.</param>
    /// <param name="vrfKey">The VRF key pair whose public key is <c>Configuration.vrf_public_key</c>.</param>
    /// <param name="signHead">Signs <c>TreeHeadTBS</c> for a tree size and root (e.g. <see cref="TreeHead.Sign(LogConfiguration, ulong, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>).</param>
    /// <param name="timeProvider">The clock for log entry timestamps.</param>
    /// <param name="random">Randomness for commitment openings; null for the system generator.</param>
    /// <exception cref="ArgumentException">The configuration is outside what this log implements, or the VRF key is not the configured one.</exception>
    public KeyTransparencyDirectory(LogConfiguration config, IVrf vrf, VrfKeyPair vrfKey, Func<ulong, byte[], TreeHead> signHead, TimeProvider timeProvider, RandomNumberGenerator? random = null)
    {
        DirectoryClient.CheckSupported(config, nameof(config));
        if (!vrfKey.PublicKey.SequenceEqual(config.VrfPublicKey))
        {
            throw new ArgumentException("The VRF key pair is not the one in Configuration.vrf_public_key.", nameof(vrfKey));
        }

        _config = config;
        _vrf = vrf;
        _vrfKey = vrfKey;
        _signHead = signHead;
        _time = timeProvider;
        _random = random;
    }

    /// <summary>The number of log entries.</summary>
    public long TreeSize => _entries.Count;

    /// <summary>The head of the current tree; null before the first update.</summary>
    public TreeHead? Head { get; private set; }

    /// <summary>
    /// Applies a batch of changes as one log entry (section 3.4): each value becomes the label's next
    /// version (several values for one label take consecutive versions), is committed to (section 11.6)
    /// and stored in the prefix tree under its VRF search key; the new prefix tree root and the time
    /// become a log entry, and the new tree is signed.
    /// </summary>
    /// <param name="changes">Labels (at most 255 bytes) and their new values, at least one.</param>
    /// <returns>The new tree head.</returns>
    /// <exception cref="ArgumentException">The batch is empty or a label is too long; nothing changes.</exception>
    public TreeHead Update(IReadOnlyList<(byte[] Label, byte[] Value)> changes)
    {
        if (changes.Count == 0)
        {
            throw new ArgumentException("An update adds at least one label version; an empty batch would add a log entry with no change.", nameof(changes));
        }

        var pending = new Dictionary<string, List<StoredVersion>>(StringComparer.Ordinal);
        var leaves = new List<PrefixLeaf>();
        foreach (var (label, value) in changes)
        {
            if (label.Length > 255)
            {
                throw new ArgumentException($"A label is at most 255 bytes; got {label.Length}.", nameof(changes));
            }

            var name = Hex(label);
            if (!pending.TryGetValue(name, out var added))
            {
                pending[name] = added = [];
            }

            var version = (uint)(Versions(label).Count + added.Count);
            var (searchKey, proof) = _config.CipherSuite.ComputeSearchKey(_vrf, _vrfKey, label, version);
            var update = new UpdateValue(value);
            var opening = Commitment.NewOpening(_random);
            var commitment = Commitment.Compute(opening, label, version, update, _config.Mode);
            added.Add(new StoredVersion(searchKey, proof, opening, update, commitment, _entries.Count));
            leaves.Add(new PrefixLeaf(searchKey, commitment));
        }

        _current.Insert(leaves);
        foreach (var pair in pending)
        {
            if (!_labels.TryGetValue(pair.Key, out var versions))
            {
                _labels[pair.Key] = versions = [];
            }

            versions.AddRange(pair.Value);
        }

        // Section 4: timestamps never decrease, even if the clock steps back.
        var now = (ulong)Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds());
        var timestamp = _entries.Count == 0 ? now : Math.Max(now, _entries[_entries.Count - 1].Timestamp);
        _entries.Add((timestamp, leaves.ToArray()));
        _log.AppendLeafHash(LogTree.LeafValue(timestamp, _current.GetRoot()));
        Head = _signHead((ulong)_entries.Count, _log.GetRoot());
        return Head;
    }

    /// <summary>
    /// Answers a search (section 13.1): the tree head (or <c>same</c>), the version, the opening and value,
    /// the binary ladder's VRF proofs and commitments, and the combined tree proof of updating the user's
    /// view from <see cref="SearchRequest.Last"/> followed by a greatest-version (6.3) or fixed-version (7.2) search.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <returns>The response.</returns>
    /// <exception cref="InvalidOperationException">The log has no entries yet.</exception>
    /// <exception cref="ArgumentException"><see cref="SearchRequest.Last"/> is beyond the log.</exception>
    /// <exception cref="KeyNotFoundException">The label, or the requested version, does not exist or has expired (the draft has no negative result).</exception>
    public SearchResponse Search(SearchRequest request)
    {
        var last = Advertised(request.Last, nameof(request));
        var stored = Versions(request.Label);
        if (stored.Count == 0 || request.Version >= stored.Count)
        {
            throw new KeyNotFoundException(stored.Count == 0
                ? $"The label {Hex(request.Label)} has no versions in this log."
                : $"The label {Hex(request.Label)} has versions 0 to {stored.Count - 1}; version {request.Version} does not exist.");
        }

        var target = request.Version ?? (uint)(stored.Count - 1);
        var steps = new List<BinaryLadderStep>();
        var versions = new Dictionary<uint, LadderVersion>();
        foreach (var v in BinaryLadder.Versions(target))
        {
            var exists = v < stored.Count;
            var (searchKey, proof) = exists ? (stored[(int)v].SearchKey, stored[(int)v].VrfProof) : _config.CipherSuite.ComputeSearchKey(_vrf, _vrfKey, request.Label, v);
            var commitment = exists ? stored[(int)v].Commitment : null;
            steps.Add(new BinaryLadderStep(proof, v == target ? null : commitment));
            versions[v] = new LadderVersion(searchKey, commitment);
        }

        var walk = Prover(last, versions);
        if (request.Version is null)
        {
            walk.GreatestVersionSearch(target, _config.ReasonableMonitoringWindow);
        }
        else
        {
            try
            {
                walk.FixedVersionSearch(target, _config.ReasonableMonitoringWindow, _config.MaximumLifetime);
            }
            catch (DirectoryProofException e) when (e.Failure == DirectoryProofFailure.VersionExpired)
            {
                throw new KeyNotFoundException($"Version {target} of the label {Hex(request.Label)} can no longer be served: {e.Message}", e);
            }
        }

        // Section 8: the user checks whether it must monitor the terminal entry; the timestamps it needs are the log's to give.
        walk.IsDistinguished(walk.Terminal!.Value, _config.ReasonableMonitoringWindow);
        var answer = stored[(int)target];
        return new SearchResponse(NewHead(last), request.Version is null ? target : null, answer.Opening, answer.Value, steps, walk.Build(_log, last));
    }

    /// <summary>
    /// Answers a contact monitoring request (section 13.2): the tree head (or <c>same</c>) and the proof of
    /// updating the user's view followed by the contact algorithm of section 8.2 over the user's map.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <returns>The response.</returns>
    /// <exception cref="InvalidOperationException">The log has no entries yet.</exception>
    /// <exception cref="ArgumentException">The request advertises no or an unknown tree size, or its map breaks a rule of section 13.2 (order, duplicates, a version that does not exist, a position off the version's direct path).</exception>
    public CombinedTreeResponse MonitorContact(ContactMonitorRequest request)
    {
        var advertised = Advertised(request.Last, nameof(request));
        if (advertised == 0)
        {
            throw new ArgumentException("A monitoring request advertises the tree size of the search it follows; this one advertises none.", nameof(request));
        }

        var stored = Versions(request.Label);
        var versions = new Dictionary<uint, LadderVersion>();
        var map = new Dictionary<long, uint>();
        for (var i = 0; i < request.Entries.Count; i++)
        {
            var (position, version) = (request.Entries[i].Position, request.Entries[i].Version);
            CheckMapEntry(request, i, stored, advertised);
            map[(long)position] = version;
            foreach (var v in BinaryLadder.MonitoringVersions(version))
            {
                versions[v] = new LadderVersion(stored[(int)v].SearchKey, stored[(int)v].Commitment);
            }
        }

        var walk = Prover(advertised, versions);
        walk.ContactMonitor(map, _config.ReasonableMonitoringWindow);
        return new CombinedTreeResponse(NewHead(advertised), walk.Build(_log, advertised));
    }

    /// <summary>
    /// Answers a request to walk the recent distinguished entries (section 13.6): the tree head (or <c>same</c>)
    /// and the proof of updating the user's view followed by the algorithm of section 10.1, where the
    /// <paramref name="recent"/> rightmost unexpired distinguished entries are recent.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="recent">The application's number of recent distinguished entries, 1 to 10 (section 10.1: "SHOULD NOT include more than ten").</param>
    /// <returns>The response.</returns>
    /// <exception cref="InvalidOperationException">The log has no entries yet.</exception>
    /// <exception cref="ArgumentException">The request advertises a tree size beyond the log.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="recent"/> is outside 1 to 10.</exception>
    public CombinedTreeResponse WalkDistinguished(DistinguishedRequest request, int recent)
    {
        CheckRecent(recent);
        var last = Advertised(request.Last, nameof(request));
        var walk = Prover(last, []);
        walk.DistinguishedHeads((long?)request.Stop, recent, _config.ReasonableMonitoringWindow, _config.MaximumLifetime);
        return new CombinedTreeResponse(NewHead(last), walk.Build(_log, last));
    }

    /// <summary>
    /// Answers a label owner's initialization (section 13.3): the tree head (or <c>same</c>), the label's
    /// greatest version in each entry of section 8.3 step 1 while it exists, the VRF proofs of version 0 and
    /// every search ladder version for those, with the commitments of the versions up to the greatest at the
    /// start, and the proof of updating the user's view followed by the first algorithm of section 8.3.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <returns>The response.</returns>
    /// <exception cref="InvalidOperationException">The log has no entries yet.</exception>
    /// <exception cref="ArgumentException">The request advertises a tree size beyond the log, or its start is not an unexpired distinguished entry.</exception>
    public OwnerInitResponse InitializeOwner(OwnerInitRequest request)
    {
        var last = Advertised(request.Last, nameof(request));
        if (request.Start >= (ulong)_entries.Count)
        {
            throw new ArgumentException($"OwnerInitRequest.start is {request.Start}; the log has {_entries.Count} entries (section 13.3).", nameof(request));
        }

        var stored = Versions(request.Label);
        var versions = new Dictionary<uint, LadderVersion>();
        var steps = new List<BinaryLadderStep>();
        var greatest = new List<uint>();
        var walk = Prover(last, versions);
        try
        {
            // The walk asks for the greatest versions once it has listed the entries, before its first ladder.
            walk.OwnerInit((long)request.Start, list => Greatest(list, stored, request.Label, versions, steps, greatest), _config.ReasonableMonitoringWindow, _config.MaximumLifetime);
        }
        catch (DirectoryProofException e) when (e.Failure == DirectoryProofFailure.LadderMismatch)
        {
            throw new ArgumentException($"OwnerInitRequest.start is refused: {e.Message}", nameof(request), e);
        }

        return new OwnerInitResponse(NewHead(last), greatest, steps, walk.Build(_log, last));
    }

    /// <summary>
    /// Answers a label owner's monitoring request (section 13.4): the tree head (or <c>same</c>) and the proof of
    /// updating the user's view followed by the second algorithm of section 8.3, with at most
    /// <paramref name="limit"/> ladders. The log does not stop early at an unexpected version: the owner sees it.
    /// </summary>
    /// <param name="request">The request; its map must be empty (label updates, section 9, are not implemented).</param>
    /// <param name="limit">The most ladders in one response, at least 1 (section 8.3: the log "SHOULD limit the number").</param>
    /// <returns>The response.</returns>
    /// <exception cref="InvalidOperationException">The log has no entries yet.</exception>
    /// <exception cref="ArgumentException">The request advertises no or an unknown tree size, or breaks a rule of section 13.4 step 2 or 3, or has a map.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is below 1.</exception>
    public CombinedTreeResponse MonitorOwner(OwnerMonitorRequest request, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var advertised = Advertised(request.Last, nameof(request));
        var stored = Versions(request.Label);
        var atStart = request.Start < (ulong)advertised ? stored.Count(v => v.Entry <= (long)request.Start) : 0;
        var problem = advertised == 0 ? "it advertises no tree size"
            : request.Entries.Count > 0 ? "label updates (section 9), and so an owner's monitoring map, are not implemented"
            : request.Start >= (ulong)advertised ? $"start {request.Start} is beyond the advertised tree of {advertised} entries"
            : request.GreatestVersion >= stored.Count ? $"the label has {stored.Count} versions, not version {request.GreatestVersion}"
            : atStart > 0 && (request.GreatestVersion is not { } g || g < atStart - 1) ? $"version {atStart - 1} existed at start {request.Start}, above greatest_version"
            : null;
        if (problem is not null)
        {
            throw new ArgumentException($"The OwnerMonitorRequest is refused: {problem} (section 13.4).", nameof(request));
        }

        var expected = request.GreatestVersion;
        var versions = BinaryLadder.Versions(expected ?? 0).ToDictionary(v => v, v => Ladder(request.Label, stored, v, v <= expected).Version);
        var walk = Prover(advertised, versions);
        walk.OwnerMonitor((long)request.Start, expected, _config.ReasonableMonitoringWindow, limit);
        return new CombinedTreeResponse(NewHead(advertised), walk.Build(_log, advertised));
    }

    /// <summary>Checks the application's number of recent distinguished entries (section 10.1).</summary>
    /// <param name="recent">1 to 10.</param>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1 to 10.</exception>
    internal static void CheckRecent(int recent)
    {
        if (recent is < 1 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(recent), recent, "The number of recent distinguished log entries is 1 to 10 (section 10.1: \"SHOULD NOT include more than ten\").");
        }
    }

    // Section 8.3 steps 2 to 4 for the listed entries: the greatest versions while the label exists, and the ladder
    // steps (ascending) and search keys of version 0 and of each search ladder; commitments up to the greatest at the start.
    private List<uint> Greatest(IReadOnlyList<long> list, List<StoredVersion> stored, byte[] label, Dictionary<uint, LadderVersion> versions, List<BinaryLadderStep> steps, List<uint> greatest)
    {
        greatest.AddRange(list.Select(y => stored.Count(v => v.Entry <= y)).TakeWhile(count => count > 0).Select(count => (uint)(count - 1)));
        foreach (var v in greatest.SelectMany(BinaryLadder.Versions).Append(0u).Distinct().OrderBy(v => v))
        {
            var (step, version) = Ladder(label, stored, v, greatest.Count > 0 && v <= greatest[0]);
            steps.Add(step);
            versions[v] = version;
        }

        return greatest;
    }

    // One binary ladder version: its VRF proof and search key, and its commitment when `committed` (the version exists).
    private (BinaryLadderStep Step, LadderVersion Version) Ladder(byte[] label, List<StoredVersion> stored, uint v, bool committed)
    {
        var (searchKey, proof) = v < stored.Count ? (stored[(int)v].SearchKey, stored[(int)v].VrfProof) : _config.CipherSuite.ComputeSearchKey(_vrf, _vrfKey, label, v);
        var commitment = committed ? stored[(int)v].Commitment : null;
        return (new BinaryLadderStep(proof, commitment), new LadderVersion(searchKey, commitment));
    }

    // The tree size a request advertises (0 for none), checked against the log.
    private long Advertised(ulong? last, string parameter)
    {
        var n = _entries.Count;
        if (n == 0)
        {
            throw new InvalidOperationException("The log has no entries yet; apply an update before answering requests.");
        }

        if (last is { } advertised && (advertised == 0 || advertised > (ulong)n))
        {
            throw new ArgumentException($"The request advertises tree size {advertised}; this log has 1 to {n} entries.", parameter);
        }

        return (long)(last ?? 0);
    }

    // Section 13.2: "each MonitorMapEntry in entries is sorted in ascending order by position, that no position or
    // version is duplicate, and that position always lies on the direct path of the first log entry to contain the
    // associated version of the label" (the entry itself or an ancestor to its right, in the user's tree).
    private static void CheckMapEntry(ContactMonitorRequest request, int i, List<StoredVersion> stored, long treeSize)
    {
        var entry = request.Entries[i];
        var problem = i > 0 && request.Entries[i - 1].Position >= entry.Position ? "positions are not strictly ascending"
            : request.Entries.Take(i).Any(e => e.Version == entry.Version) ? "the version is listed twice"
            : entry.Version >= stored.Count ? $"the label has {stored.Count} versions"
            : entry.Position >= (ulong)treeSize ? $"the position is beyond the advertised tree of {treeSize} entries"
            : null;
        if (problem is null)
        {
            var first = stored[(int)entry.Version].Entry;
            var onPath = (long)entry.Position == first || (first < treeSize && ImplicitSearchTree.Ancestors(first, treeSize).Any(y => y > first && y == (long)entry.Position));
            problem = onPath ? null : $"the position is not on the direct path of entry {first}, where the version was added";
        }

        if (problem is not null)
        {
            throw new ArgumentException($"ContactMonitorRequest.entries[{i}] (position {entry.Position}, version {entry.Version}) is refused: {problem} (section 13.2).", nameof(request));
        }
    }

    // The prover over this log for a user who last saw `last` entries (0 for none), its view already updated (section 4.2).
    private CombinedTreeWalk Prover(long last, Dictionary<uint, LadderVersion> versions)
    {
        var retained = last == 0 ? [] : ImplicitSearchTree.Frontier(last).ToDictionary(x => x, x => new RetainedEntry(_entries[(int)x].Timestamp, TreeAt(x).GetRoot()));
        var walk = CombinedTreeWalk.Prover(_entries.Count, retained, versions, x => (_entries[(int)x].Timestamp, TreeAt(x)));
        walk.UpdateView(last);
        return walk;
    }

    private FullTreeHead NewHead(long last) => new(last == _entries.Count ? null : Head);

    private List<StoredVersion> Versions(byte[] label) => _labels.TryGetValue(Hex(label), out var versions) ? versions : [];

    // The prefix tree as of log entry x: rebuilt from the batches up to x once, then kept (a past
    // version never changes).
    private PrefixTree TreeAt(long x)
    {
        if (x == _entries.Count - 1)
        {
            return _current;
        }

        if (!_snapshots.TryGetValue(x, out var tree))
        {
            tree = new PrefixTree();
            for (var i = 0; i <= x; i++)
            {
                tree.Insert(_entries[i].Batch);
            }

            _snapshots[x] = tree;
        }

        return tree;
    }

    private sealed record StoredVersion(byte[] SearchKey, byte[] VrfProof, byte[] Opening, UpdateValue Value, byte[] Commitment, long Entry);
}
