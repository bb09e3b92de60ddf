using System.Security.Cryptography;
using static Pki.KeyTransparency.Merkle.MerkleProofVerifier;

namespace Pki.KeyTransparency.Directory;

/// <summary>A log entry the verifier retained from its last tree (section 4.2: the frontier entries).</summary>
/// <param name="Timestamp">The entry's timestamp, milliseconds.</param>
/// <param name="PrefixRoot">The entry's prefix tree root.</param>
internal sealed record RetainedEntry(ulong Timestamp, byte[] PrefixRoot);

/// <summary>A label version in a search: its search key and, where known, its commitment.</summary>
/// <param name="SearchKey">The VRF output for the label-version pair.</param>
/// <param name="Commitment">The commitment an inclusion proof must show; null when the version is not expected to exist.</param>
internal sealed record LadderVersion(byte[] SearchKey, byte[]? Commitment);

/// <summary>
/// The combined tree algorithms of draft-ietf-keytrans-protocol, run once by the log to record a
/// <see cref="CombinedTreeProof"/> and once by the user to consume it, as appendix C recommends: "Implementing
/// the prover and the verifier over a single shared implementation of the algorithms, parameterized only by
/// whether data is being recorded or consumed, guarantees that both sides agree on the contents and order
/// of every field." Implemented: updating the view (section 4.2), greatest-version search (6.3) and
/// fixed-version search (7.2), with maximum lifetimes (7.1); contact monitoring (8.2); both owner algorithms
/// (8.3); walking distinguished heads (10.1).
/// </summary>
internal sealed class CombinedTreeWalk
{
    private readonly long _treeSize;
    private readonly IReadOnlyDictionary<uint, LadderVersion> _versions;
    private readonly Func<long, (ulong Timestamp, PrefixTree Tree)>? _entries;
    private readonly CombinedTreeProof? _proof;
    private readonly Dictionary<long, ulong> _timestamps = [];
    private readonly Dictionary<long, byte[]> _roots = [];
    private readonly HashSet<long> _retained = [];
    private readonly SortedSet<long> _given = [];
    private readonly Dictionary<long, Dictionary<uint, bool>> _lookups = [];
    private readonly List<ulong> _recordedTimestamps = [];
    private readonly List<PrefixProof> _recordedProofs = [];
    private int _nextTimestamp;
    private int _nextProof;

    private CombinedTreeWalk(long treeSize, IReadOnlyDictionary<long, RetainedEntry> retained, IReadOnlyDictionary<uint, LadderVersion> versions, Func<long, (ulong, PrefixTree)>? entries, CombinedTreeProof? proof)
    {
        _treeSize = treeSize;
        _versions = versions;
        _entries = entries;
        _proof = proof;
        foreach (var pair in retained)
        {
            _retained.Add(pair.Key);
            _timestamps[pair.Key] = pair.Value.Timestamp;
            _roots[pair.Key] = pair.Value.PrefixRoot;
        }
    }

    /// <summary>The log's side: entries come from its data, and what the user needs is recorded.</summary>
    /// <param name="treeSize">The size of the tree head served.</param>
    /// <param name="retained">The entries the user retained (the frontier of its advertised size).</param>
    /// <param name="versions">The label versions of the binary ladder.</param>
    /// <param name="entries">An entry's timestamp and its prefix tree.</param>
    /// <returns>The prover.</returns>
    public static CombinedTreeWalk Prover(long treeSize, IReadOnlyDictionary<long, RetainedEntry> retained, IReadOnlyDictionary<uint, LadderVersion> versions, Func<long, (ulong, PrefixTree)> entries) =>
        new(treeSize, retained, versions, entries, null);

    /// <summary>The user's side: entries come from the proof, checked as they are consumed.</summary>
    /// <param name="treeSize">The size of the tree head received.</param>
    /// <param name="retained">The entries the user retained.</param>
    /// <param name="versions">The label versions from the verified VRF proofs, with commitments.</param>
    /// <param name="proof">The proof to consume.</param>
    /// <returns>The verifier.</returns>
    public static CombinedTreeWalk Verifier(long treeSize, IReadOnlyDictionary<long, RetainedEntry> retained, IReadOnlyDictionary<uint, LadderVersion> versions, CombinedTreeProof proof) =>
        new(treeSize, retained, versions, null, proof);

    /// <summary>The terminal log entry of the last search (sections 6.3 and 7.2); null before a search succeeds.</summary>
    public long? Terminal { get; private set; }

    /// <summary>The timestamp of entry <paramref name="x"/>, taking it from the queue (or recording it) the first time.</summary>
    /// <param name="x">The entry.</param>
    /// <returns>Milliseconds since the Unix epoch.</returns>
    /// <exception cref="DirectoryProofException">The queue is empty, or the timestamp breaks monotonicity.</exception>
    public ulong Timestamp(long x)
    {
        if (_timestamps.TryGetValue(x, out var known))
        {
            return known;
        }

        ulong timestamp;
        if (_entries is not null)
        {
            timestamp = _entries(x).Timestamp;
            _recordedTimestamps.Add(timestamp);
        }
        else if (_nextTimestamp < _proof!.Timestamps.Count)
        {
            timestamp = _proof.Timestamps[_nextTimestamp++];
        }
        else
        {
            throw new DirectoryProofException(DirectoryProofFailure.ProofLengthMismatch, $"CombinedTreeProof.timestamps ends after {_proof.Timestamps.Count} values; the timestamp of log entry {x} is still needed.");
        }

        // Section 12.3: "users verify that any given timestamp is greater than or equal to all observed timestamps to its left".
        foreach (var pair in _timestamps)
        {
            if ((pair.Key < x && pair.Value > timestamp) || (pair.Key > x && pair.Value < timestamp))
            {
                throw new DirectoryProofException(
                    DirectoryProofFailure.TimestampsNotMonotonic,
                    $"Log entry {x} has timestamp {timestamp} but entry {pair.Key} has {pair.Value}; timestamps must not decrease from left to right.");
            }
        }

        _timestamps[x] = timestamp;
        _given.Add(x);
        return timestamp;
    }

    /// <summary>Section 4.2: the timestamps that bring a view of <paramref name="oldSize"/> entries (0 for none) up to the tree size.</summary>
    /// <param name="oldSize">The size the user advertised, 0 to the tree size.</param>
    /// <returns>The timestamp of the rightmost entry.</returns>
    public ulong UpdateView(long oldSize)
    {
        foreach (var x in oldSize == 0 ? ImplicitSearchTree.Frontier(_treeSize) : ImplicitSearchTree.UpdatePath(oldSize, _treeSize))
        {
            Timestamp(x);
        }

        return Timestamp(_treeSize - 1);
    }

    /// <summary>
    /// Section 6.3: from the rightmost distinguished frontier entry (or the root), a search ladder per
    /// frontier entry for the claimed greatest version; none may include a greater version, and the
    /// rightmost must show exactly the claimed version.
    /// </summary>
    /// <param name="version">The claimed greatest version.</param>
    /// <param name="reasonableMonitoringWindow">The RMW, milliseconds.</param>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.LadderMismatch"/> and any proof failure.</exception>
    public void GreatestVersionSearch(uint version, ulong reasonableMonitoringWindow)
    {
        var frontier = ImplicitSearchTree.Frontier(_treeSize);
        var rightmost = Timestamp(_treeSize - 1);

        // Section 6.1 along the frontier: entry i is distinguished when rightmost - (timestamp of entry i-1, or 0) >= RMW;
        // the recursion stops at the first that is not, so the rightmost distinguished entry is the last that is.
        var start = 0;
        ulong left = 0;
        for (var i = 0; i < frontier.Count && rightmost - left >= reasonableMonitoringWindow; i++)
        {
            start = i;
            left = Timestamp(frontier[i]);
        }

        long? terminal = null;
        for (var i = start; i < frontier.Count; i++)
        {
            var outcome = Ladder(frontier[i], version);
            if (outcome == LadderOutcome.Greater || (i == frontier.Count - 1 && outcome != LadderOutcome.Equal))
            {
                throw new DirectoryProofException(
                    DirectoryProofFailure.LadderMismatch,
                    $"The binary ladder of log entry {frontier[i]} shows a greatest version {(outcome == LadderOutcome.Greater ? "above" : "below")} the claimed greatest version {version}.");
            }

            // "The terminal log entry of the search is defined as the leftmost log entry inspected that contains the greatest version."
            terminal ??= outcome == LadderOutcome.Equal ? frontier[i] : null;
        }

        Terminal = terminal;
    }

    /// <summary>
    /// Section 7.2: a binary search for the first entry whose greatest version is the target. Expired
    /// entries (section 7.1) get no ladder and send the search right; a result that relies on expired
    /// entries needs an unexpired distinguished entry at or left of the terminal one (strictly left in
    /// step 6.2). The bookkeeping follows the draft author's <c>FixedVersionSearch</c> (github.com/Bren2010/katie).
    /// </summary>
    /// <param name="version">The target version.</param>
    /// <param name="reasonableMonitoringWindow">The RMW, milliseconds.</param>
    /// <param name="maximumLifetime">The maximum lifetime of log entries, milliseconds; null for none.</param>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.NegativeResult"/> or <see cref="DirectoryProofFailure.VersionExpired"/>, and any proof failure.</exception>
    public void FixedVersionSearch(uint version, ulong reasonableMonitoringWindow, ulong? maximumLifetime)
    {
        var rightmost = Timestamp(_treeSize - 1);
        long? terminal = null;
        var expired = false;
        ulong left = 0, right = rightmost;
        var distinguished = new List<long>();
        var x = ImplicitSearchTree.Root(_treeSize);
        while (true)
        {
            var timestamp = Timestamp(x);
            if (maximumLifetime is { } lifetime && rightmost - timestamp >= lifetime)
            {
                // Step 1: an expired entry sends the search right without a ladder.
                expired = true;
                if (!ImplicitSearchTree.HasRight(x, _treeSize))
                {
                    break;
                }

                (x, left) = (ImplicitSearchTree.Right(x, _treeSize), timestamp);
                continue;
            }

            if (right - left >= reasonableMonitoringWindow)
            {
                distinguished.Add(x);
            }

            var outcome = Ladder(x, version);
            if (outcome == LadderOutcome.Equal)
            {
                // Step 5.
                if (expired && !distinguished.Any(y => y <= x))
                {
                    throw Expired(version, x);
                }

                Terminal = x;
                return;
            }

            if (outcome == LadderOutcome.Greater && (terminal is null || x < terminal))
            {
                terminal = x;
            }

            if (outcome == LadderOutcome.Less && ImplicitSearchTree.HasRight(x, _treeSize))
            {
                (x, left) = (ImplicitSearchTree.Right(x, _treeSize), timestamp);
            }
            else if (outcome == LadderOutcome.Greater && ImplicitSearchTree.HasLeft(x))
            {
                (x, right) = (ImplicitSearchTree.Left(x), timestamp);
            }
            else
            {
                break;
            }
        }

        // Step 6: the leftmost entry with a greater version must still include the target.
        if (terminal is not { } entry)
        {
            throw new DirectoryProofException(DirectoryProofFailure.NegativeResult, $"The search proofs show that version {version} of the label does not exist in a tree of {_treeSize} entries; a search response must not carry a negative result (section 13.1).");
        }

        if (expired && !distinguished.Any(y => y < entry))
        {
            throw Expired(version, entry);
        }

        if (!InEntry(entry, omit: false, lookup => lookup(version)))
        {
            throw new DirectoryProofException(DirectoryProofFailure.NegativeResult, $"Log entry {entry} has a version above {version} but its prefix tree does not include version {version}; a search response must not carry a negative result (section 13.1).");
        }

        Terminal = entry;
    }

    /// <summary>
    /// Section 6.1 for one entry: whether <paramref name="x"/> is distinguished, from the timestamps of its
    /// ancestors, root first, stopping at the first that is not distinguished (section 12.3.4: "stopping if a
    /// non-distinguished log entry is established").
    /// </summary>
    /// <param name="x">An entry of the tree.</param>
    /// <param name="reasonableMonitoringWindow">The RMW, milliseconds.</param>
    /// <returns>True when the entry is distinguished.</returns>
    public bool IsDistinguished(long x, ulong reasonableMonitoringWindow)
    {
        ulong left = 0, right = Timestamp(_treeSize - 1);
        foreach (var y in ImplicitSearchTree.Ancestors(x, _treeSize))
        {
            if (right - left < reasonableMonitoringWindow)
            {
                return false;
            }

            var timestamp = Timestamp(y);
            (left, right) = x < y ? (left, timestamp) : (timestamp, right);
        }

        return right - left >= reasonableMonitoringWindow;
    }

    /// <summary>
    /// Section 8.2: moves each entry of the monitoring map (log entry to version), rightmost first, up its
    /// direct path to the right, with a monitoring binary ladder (section 8.1) from each entry passed, until
    /// it reaches a distinguished entry; then drops the entries that are distinguished. Step 2.4 (owner
    /// monitoring) is not implemented.
    /// </summary>
    /// <param name="map">Log entries of this tree and the versions monitored there.</param>
    /// <param name="reasonableMonitoringWindow">The RMW, milliseconds.</param>
    /// <returns>The new map: only entries that are not distinguished.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.LadderMismatch"/> and any proof failure.</exception>
    public SortedDictionary<long, uint> ContactMonitor(IReadOnlyDictionary<long, uint> map, ulong reasonableMonitoringWindow)
    {
        var result = new SortedDictionary<long, uint>();
        var ladders = new Dictionary<long, uint>();
        foreach (var pair in map.OrderByDescending(p => p.Key))
        {
            // Step 1, and the final step: a distinguished entry stays only to be removed at the end.
            var (position, version) = (pair.Key, pair.Value);
            if (IsDistinguished(position, reasonableMonitoringWindow))
            {
                continue;
            }

            var (current, distinguished, superseded) = (position, false, false);
            foreach (var y in ImplicitSearchTree.Ancestors(position, _treeSize).Where(y => y > position).Reverse())
            {
                if (ladders.TryGetValue(y, out var earlier))
                {
                    // Step 3.1: a ladder from this entry for a greater version covers this one; otherwise the map is inconsistent.
                    if (earlier <= version)
                    {
                        throw new DirectoryProofException(
                            DirectoryProofFailure.LadderMismatch,
                            $"Log entry {y} was already given a monitoring binary ladder for version {earlier}, not greater than version {version} monitored from entry {position} (section 8.2 step 3.1).");
                    }

                    superseded = true;
                    break;
                }

                MonitoringLadder(y, version);
                (ladders[y], current) = (version, y);

                // Step 2.3: the list ends just after the first distinguished entry.
                if (distinguished = IsDistinguished(y, reasonableMonitoringWindow))
                {
                    break;
                }
            }

            if (!superseded && !distinguished)
            {
                // Two entries can meet where neither moved on; the greater version is kept, as step 3.1 does.
                result[current] = result.TryGetValue(current, out var other) ? Math.Max(other, version) : version;
            }
        }

        return result;
    }

    /// <summary>
    /// Section 10.1: a right-to-left depth-first walk over the distinguished entries, from the root, collecting
    /// the recent ones (here: the <paramref name="recent"/> rightmost, none expired) right of the stopping
    /// position. The timestamp of every entry that reaches step 2 is used (section 12.3.5).
    /// </summary>
    /// <param name="stop">The user's stopping position; null for none.</param>
    /// <param name="recent">How many of the rightmost distinguished entries are recent, 1 to 10.</param>
    /// <param name="reasonableMonitoringWindow">The RMW, milliseconds.</param>
    /// <param name="maximumLifetime">The maximum lifetime of log entries, milliseconds; null for none.</param>
    /// <returns>The recent distinguished entries, left to right.</returns>
    public List<long> DistinguishedHeads(long? stop, int recent, ulong reasonableMonitoringWindow, ulong? maximumLifetime)
    {
        var found = new List<long>();
        var rightmost = Timestamp(_treeSize - 1);
        Visit(ImplicitSearchTree.Root(_treeSize), 0, rightmost);
        found.Reverse();
        return found;

        void Visit(long x, ulong left, ulong right)
        {
            // Step 1: not distinguished (section 6.1).
            if (right - left < reasonableMonitoringWindow)
            {
                return;
            }

            var timestamp = Timestamp(x);
            if (ImplicitSearchTree.HasRight(x, _treeSize))
            {
                Visit(ImplicitSearchTree.Right(x, _treeSize), timestamp, right);
            }

            // Steps 3 and 4: "MUST NOT include any expired distinguished log entries".
            if ((stop is { } position && x <= position) || found.Count >= recent || (maximumLifetime is { } lifetime && rightmost - timestamp >= lifetime))
            {
                return;
            }

            found.Add(x);
            if (ImplicitSearchTree.HasLeft(x))
            {
                Visit(ImplicitSearchTree.Left(x), left, timestamp);
            }
        }
    }

    /// <summary>
    /// Section 8.3, first algorithm (section 12.3 owner initialization): the starting position must be
    /// distinguished and unexpired (the timestamps of its path from the root); then a search ladder, none
    /// omitted, from the start and each entry of its direct path to its left, before the first expired one,
    /// for the claimed greatest version there (target 0, showing version 0 absent, past the claimed list).
    /// </summary>
    /// <param name="start">The requested starting position.</param>
    /// <param name="greatestVersions">From the listed entries, the claimed greatest versions: one per entry while the label exists, not increasing.</param>
    /// <param name="reasonableMonitoringWindow">The RMW, milliseconds.</param>
    /// <param name="maximumLifetime">The maximum lifetime of log entries, milliseconds; null for none.</param>
    /// <returns>The listed entries, start first.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.LadderMismatch"/>, <see cref="DirectoryProofFailure.UnexpectedVersion"/> and any proof failure.</exception>
    public List<long> OwnerInit(long start, Func<IReadOnlyList<long>, IReadOnlyList<uint>> greatestVersions, ulong reasonableMonitoringWindow, ulong? maximumLifetime)
    {
        var rightmost = Timestamp(_treeSize - 1);
        if (!IsDistinguished(start, reasonableMonitoringWindow) || IsExpired(start, rightmost, maximumLifetime))
        {
            throw new DirectoryProofException(DirectoryProofFailure.LadderMismatch, $"The starting position {start} is not an unexpired distinguished log entry (section 8.3).");
        }

        var list = new List<long> { start };
        list.AddRange(ImplicitSearchTree.Ancestors(start, _treeSize).Where(y => y < start).Reverse().TakeWhile(y => !IsExpired(y, rightmost, maximumLifetime)));
        var greatest = greatestVersions(list);
        if (greatest.Count > list.Count || greatest.Where((v, i) => i > 0 && v > greatest[i - 1]).Any())
        {
            throw new DirectoryProofException(DirectoryProofFailure.LadderMismatch, $"OwnerInitResponse.greatest_versions ({string.Join(", ", greatest)}) must be in descending order with at most one version per listed log entry ({list.Count}) (section 13.3 step 1).");
        }

        for (var i = 0; i < list.Count; i++)
        {
            ExpectGreatest(list[i], i < greatest.Count ? greatest[i] : null);
        }

        return list;
    }

    /// <summary>
    /// Section 8.3, second algorithm (section 12.3 owner monitoring): an in-order walk over the distinguished
    /// entries right of <paramref name="start"/>, with a search ladder, none omitted, from each showing
    /// <paramref name="expected"/> as the greatest version (none: version 0 absent). The log stops after
    /// <paramref name="limit"/> ladders; the user stops where the proof's prefix proofs run out.
    /// </summary>
    /// <param name="start">The rightmost distinguished entry the owner verified.</param>
    /// <param name="expected">The greatest version the owner made; null for none.</param>
    /// <param name="reasonableMonitoringWindow">The RMW, milliseconds.</param>
    /// <param name="limit">The log's limit on ladders per response; ignored by the user.</param>
    /// <returns>The entries given a ladder, left to right.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.UnexpectedVersion"/> and any proof failure.</exception>
    public List<long> OwnerMonitor(long start, uint? expected, ulong reasonableMonitoringWindow, int limit)
    {
        var checkedEntries = new List<long>();
        var stopped = false;
        Visit(ImplicitSearchTree.Root(_treeSize), 0, Timestamp(_treeSize - 1));
        return checkedEntries;

        void Visit(long x, ulong left, ulong right)
        {
            // Step 1.
            if (stopped || right - left < reasonableMonitoringWindow)
            {
                return;
            }

            // Step 2.
            if (x <= start)
            {
                if (ImplicitSearchTree.HasRight(x, _treeSize))
                {
                    Visit(ImplicitSearchTree.Right(x, _treeSize), Timestamp(x), right);
                }

                return;
            }

            // Step 3.
            if (ImplicitSearchTree.HasLeft(x))
            {
                Visit(ImplicitSearchTree.Left(x), left, Timestamp(x));
            }

            // Step 4: the log's output limit, or the end of the user's proof.
            if (stopped || (stopped = _entries is not null ? checkedEntries.Count >= limit : _nextProof >= _proof!.PrefixProofs.Count))
            {
                return;
            }

            // Steps 5 and 6. The entry's timestamp is used even without children (the draft lists only those of entries
            // recursed from): its leaf must be in the inclusion proof to bind the ladder's prefix root.
            Timestamp(x);
            ExpectGreatest(x, expected);
            checkedEntries.Add(x);
            if (ImplicitSearchTree.HasRight(x, _treeSize))
            {
                Visit(ImplicitSearchTree.Right(x, _treeSize), Timestamp(x), right);
            }
        }
    }

    /// <summary>The recorded proof (the log's side), with the inclusion proof from <paramref name="log"/>.</summary>
    /// <param name="log">The log tree.</param>
    /// <param name="retainedSize">The size the user advertised, 0 for none.</param>
    /// <returns>The proof.</returns>
    public CombinedTreeProof Build(Merkle.MerkleLog log, long retainedSize)
    {
        var roots = _given.Where(x => !_roots.ContainsKey(x)).Select(x => _entries!(x).Tree.GetRoot()).ToList();
        return new CombinedTreeProof(_recordedTimestamps, _recordedProofs, roots, LogTree.Prove(log, _treeSize, _given, retainedSize));
    }

    /// <summary>
    /// The user's side, after the algorithms: checks every queue was used up, takes the remaining prefix
    /// roots, and returns the leaf values of the entries whose timestamps the proof gave (for the log tree
    /// root) and the new frontier to retain.
    /// </summary>
    /// <returns>Leaf index to leaf value, and the frontier entries.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.ProofLengthMismatch"/>.</exception>
    public (Dictionary<long, byte[]> Leaves, Dictionary<long, RetainedEntry> Frontier) Finish()
    {
        var proof = _proof!;
        var missing = _given.Where(x => !_roots.ContainsKey(x)).ToList();
        if (_nextTimestamp != proof.Timestamps.Count || _nextProof != proof.PrefixProofs.Count || missing.Count != proof.PrefixRoots.Count)
        {
            throw new DirectoryProofException(
                DirectoryProofFailure.ProofLengthMismatch,
                $"The CombinedTreeProof has {proof.Timestamps.Count} timestamps, {proof.PrefixProofs.Count} prefix proofs and {proof.PrefixRoots.Count} prefix roots; the algorithms use {_nextTimestamp}, {_nextProof} and {missing.Count}.");
        }

        for (var i = 0; i < missing.Count; i++)
        {
            if (proof.PrefixRoots[i].Length != KeyTransparencyCipherSuite.HashSize)
            {
                throw new DirectoryProofException(DirectoryProofFailure.SizeMismatch, $"CombinedTreeProof.prefix_roots[{i}] is {proof.PrefixRoots[i].Length} bytes; Hash.Nh is {KeyTransparencyCipherSuite.HashSize}.");
            }

            _roots[missing[i]] = proof.PrefixRoots[i];
        }

        var leaves = _given.ToDictionary(x => x, x => LogTree.LeafValue(_timestamps[x], _roots[x]));
        var frontier = ImplicitSearchTree.Frontier(_treeSize).ToDictionary(x => x, x => new RetainedEntry(_timestamps[x], _roots[x]));
        return (leaves, frontier);
    }

    private static DirectoryProofException Expired(uint version, long entry) => new(
        DirectoryProofFailure.VersionExpired,
        $"Version {version} of the label is expired: the search reached log entry {entry} through expired entries, and no unexpired distinguished entry to its left vouches for it (section 7.2).");

    // The entry's timestamp is always used: an entry given a ladder must be a leaf of the inclusion proof, binding its prefix root.
    private bool IsExpired(long x, ulong rightmost, ulong? maximumLifetime) => Timestamp(x) is var timestamp && maximumLifetime is { } lifetime && rightmost - timestamp >= lifetime;

    // Section 8.3: a search ladder from x, none omitted, ending as `greatest` being the greatest version (none: version 0 absent).
    private void ExpectGreatest(long x, uint? greatest)
    {
        // With no version expected, an inclusion of version 0 already shows one the owner did not make; the ladder ends there.
        var outcome = InEntry(x, omit: false, lookup => greatest is { } g ? BinaryLadder.Search(g, lookup) : lookup(0) ? LadderOutcome.Greater : LadderOutcome.Less);
        if (outcome != (greatest is null ? LadderOutcome.Less : LadderOutcome.Equal))
        {
            throw new DirectoryProofException(
                DirectoryProofFailure.UnexpectedVersion,
                greatest is null
                    ? $"The binary ladder of log entry {x} shows a version of the label where none is expected (section 8.3)."
                    : $"The binary ladder of log entry {x} shows a greatest version {(outcome == LadderOutcome.Greater ? "above" : "below")} the expected greatest version {greatest} (section 8.3).");
        }
    }

    // Section 8.1: the lookups of base_binary_ladder(version) at or below the version, none omitted; all must be inclusions.
    private void MonitoringLadder(long x, uint version)
    {
        var absent = InEntry(x, omit: false, lookup =>
        {
            var missing = new List<uint>();
            foreach (var v in BinaryLadder.MonitoringVersions(version))
            {
                if (!lookup(v))
                {
                    missing.Add(v);
                }
            }

            return missing;
        });
        if (absent.Count > 0)
        {
            throw new DirectoryProofException(
                DirectoryProofFailure.LadderMismatch,
                $"The monitoring binary ladder of log entry {x} for version {version} shows version(s) {string.Join(", ", absent)} absent; every lookup must be an inclusion (section 8.1).");
        }
    }

    private LadderOutcome Ladder(long x, uint target) => InEntry(x, omit: true, lookup => BinaryLadder.Search(target, lookup));

    // Runs one series of lookups in entry x's prefix tree, consuming (or recording) one PrefixProof.
    // Section 6.2: with `omit`, a version whose inclusion was proved for an entry to the left, or whose
    // non-inclusion was proved for an entry to the right, is not looked up again; its outcome is implied.
    private T InEntry<T>(long x, bool omit, Func<Func<uint, bool>, T> algorithm)
    {
        PrefixProof? proof = null;
        PrefixTree? tree = null;
        if (_entries is not null)
        {
            tree = _entries(x).Tree;
        }
        else if (_nextProof < _proof!.PrefixProofs.Count)
        {
            proof = _proof.PrefixProofs[_nextProof++];
        }
        else
        {
            throw new DirectoryProofException(DirectoryProofFailure.ProofLengthMismatch, $"CombinedTreeProof.prefix_proofs ends after {_proof.PrefixProofs.Count} proofs; lookups in log entry {x} are still needed.");
        }

        var keys = new List<byte[]>();
        var commitments = new List<byte[]?>();
        var outcomes = new Dictionary<uint, bool>();
        var result = algorithm(v =>
        {
            if (omit && Implied(x, v) is { } implied)
            {
                return implied;
            }

            var version = Version(v);
            bool included;
            if (tree is not null)
            {
                included = tree.Find(version.SearchKey) is not null;
            }
            else if (keys.Count < proof!.Results.Count)
            {
                included = proof.Results[keys.Count].Type == PrefixSearchResultType.Inclusion;
            }
            else
            {
                throw new DirectoryProofException(DirectoryProofFailure.ProofLengthMismatch, $"The prefix proof for log entry {x} has {proof.Results.Count} results; the lookup of version {v} needs another.");
            }

            keys.Add(version.SearchKey);
            commitments.Add(included ? version.Commitment : null);
            outcomes[v] = included;
            return included;
        });

        byte[] root;
        if (tree is not null)
        {
            _recordedProofs.Add(tree.Search(keys));
            root = tree.GetRoot();
        }
        else if (keys.Count == proof!.Results.Count)
        {
            root = PrefixTree.ComputeRoot(keys, commitments, proof);
        }
        else
        {
            throw new DirectoryProofException(DirectoryProofFailure.ProofLengthMismatch, $"The prefix proof for log entry {x} has {proof.Results.Count} results; its lookups use {keys.Count}.");
        }

        Associate(x, root);
        _lookups[x] = outcomes;
        return result;
    }

    private bool? Implied(long x, uint v)
    {
        foreach (var pair in _lookups)
        {
            if (pair.Value.TryGetValue(v, out var included) && included == pair.Key < x)
            {
                return included;
            }
        }

        return null;
    }

    private LadderVersion Version(uint v) => _versions.TryGetValue(v, out var version)
        ? version
        : throw new DirectoryProofException(DirectoryProofFailure.LadderMismatch, $"The lookups need version {v}, which is not in the binary ladder of the response.");

    // Section 12.3: "If multiple proofs are consumed for the same log entry, users MUST verify that they all
    // produce the same root hash", and a retained entry's must match the retained root.
    private void Associate(long x, byte[] root)
    {
        if (!_roots.TryGetValue(x, out var known))
        {
            _roots[x] = root;
        }
        else if (!CryptographicOperations.FixedTimeEquals(known, root))
        {
            throw new DirectoryProofException(
                _retained.Contains(x) ? DirectoryProofFailure.RetainedValueMismatch : DirectoryProofFailure.RootMismatch,
                $"A prefix proof for log entry {x} computes root {Hex(root)}; {(_retained.Contains(x) ? "the retained root" : "an earlier proof for the entry")} is {Hex(known)}.");
        }
    }
}
