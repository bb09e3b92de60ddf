using System.Globalization;
using System.Security.Cryptography;
using Pki.KeyTransparency.Vrf;
using static Pki.KeyTransparency.Merkle.MerkleProofVerifier;

namespace Pki.KeyTransparency.Directory;

/// <summary>
/// What a user keeps from the last response it verified (sections 4.2 and 13): the tree head, the log
/// tree root, the head values of the full subtrees, and the frontier entries.
/// </summary>
/// <param name="TreeSize">The number of log entries.</param>
/// <param name="Root">The log tree root.</param>
/// <param name="Head">The signed head.</param>
/// <param name="FullSubtrees">The full subtree values, left to right.</param>
/// <param name="Frontier">The frontier entries' timestamps and prefix tree roots.</param>
internal sealed record VerifiedTreeHead(long TreeSize, byte[] Root, TreeHead Head, IReadOnlyList<byte[]> FullSubtrees, IReadOnlyDictionary<long, RetainedEntry> Frontier);

/// <summary>
/// What a user keeps to monitor one label it looked up (section 8.2): the monitoring map and the search keys
/// and commitments of the versions its monitoring binary ladders look up.
/// </summary>
/// <param name="Map">Log entry to the greatest version proven to exist there; only entries that are not distinguished.</param>
/// <param name="Versions">The label versions the ladders need, from verified search responses.</param>
internal sealed record LabelMonitor(IReadOnlyDictionary<long, uint> Map, IReadOnlyDictionary<uint, LadderVersion> Versions);

/// <summary>What a label owner keeps (section 8.3): the rightmost distinguished entry it verified, the greatest version it made, and that version's search ladder versions.</summary>
/// <param name="Start">The rightmost distinguished log entry verified.</param>
/// <param name="Greatest">The greatest version the owner made; null for none.</param>
/// <param name="Versions">The search keys (and commitments of existing versions) of the search ladder for <paramref name="Greatest"/> (version 0 alone for none).</param>
internal sealed record OwnerState(long Start, uint? Greatest, IReadOnlyDictionary<uint, LadderVersion> Versions);

/// <summary>
/// The user's side of searches (draft-ietf-keytrans-protocol section 13.1): verifies a
/// <see cref="SearchResponse"/> completely (VRF proofs, commitment, binary ladders, timestamps, prefix and
/// log tree proofs, consistency with the last verified head, the head's signature and age) and only then
/// returns the value and keeps the new head. A failed response leaves the state unchanged (section 13).
/// </summary>
internal sealed class DirectoryClient
{
    private readonly LogConfiguration _config;
    private readonly IVrf _vrf;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, LabelMonitor> _monitors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OwnerState> _owners = new(StringComparer.Ordinal);

    /// <summary>Creates a user with no verified head.</summary>
    /// <param name="config">The log's configuration; Contact Monitoring.</param>
    /// <param name="vrf">The suite's VRF.</param>
    /// <param name="timeProvider">The clock for the <c>max_ahead</c>/<c>max_behind</c> checks.</param>
    /// <exception cref="ArgumentException">The configuration is outside what this client implements.</exception>
    public DirectoryClient(LogConfiguration config, IVrf vrf, TimeProvider timeProvider)
    {
        CheckSupported(config, nameof(config));
        _config = config;
        _vrf = vrf;
        _time = timeProvider;
    }

    /// <summary>The last verified head; null before the first verified response.</summary>
    public VerifiedTreeHead? Last { get; private set; }

    /// <summary>A search request advertising the last verified tree size.</summary>
    /// <param name="label">The label.</param>
    /// <param name="version">The version; null for the greatest.</param>
    /// <returns>The request.</returns>
    public SearchRequest CreateSearch(byte[] label, uint? version = null) => new((ulong?)Last?.TreeSize, label, version);

    /// <summary>Verifies a search response (section 13.1, steps 1 to 6) and keeps its tree head.</summary>
    /// <param name="request">The request, made with <see cref="CreateSearch"/> from the current state.</param>
    /// <param name="response">The log's response.</param>
    /// <returns>The version and the value, verified.</returns>
    /// <exception cref="ArgumentException">The request does not advertise the current state.</exception>
    /// <exception cref="DirectoryProofException">Why the response was rejected.</exception>
    public (uint Version, UpdateValue Value) VerifySearch(SearchRequest request, SearchResponse response)
    {
        var last = CheckAdvertised(request.Last, nameof(request));

        var target = CheckShape(request, response);
        var versions = VerifyLadder(request.Label, target, response);
        var treeSize = NewTreeSize(last, response.FullTreeHead);
        var lastSize = last?.TreeSize ?? 0;
        var walk = CombinedTreeWalk.Verifier(treeSize, last?.Frontier ?? new Dictionary<long, RetainedEntry>(), versions, response.Search);
        CheckTime(walk.UpdateView(lastSize));
        if (request.Version is null)
        {
            walk.GreatestVersionSearch(target, _config.ReasonableMonitoringWindow);
        }
        else
        {
            walk.FixedVersionSearch(target, _config.ReasonableMonitoringWindow, _config.MaximumLifetime);
        }

        // Section 8: a terminal entry that is not distinguished is monitored until one is established above it.
        var monitor = walk.IsDistinguished(walk.Terminal!.Value, _config.ReasonableMonitoringWindow) ? null : Monitor(request.Label, walk.Terminal.Value, target, versions);
        Last = Complete(last, treeSize, walk, response.FullTreeHead, response.Search.Inclusion);
        if (monitor is not null)
        {
            _monitors[Hex(request.Label)] = monitor;
        }

        return (target, response.Value);
    }

    /// <summary>The monitoring state of a label (section 8.2); null when nothing needs monitoring.</summary>
    /// <param name="label">The label.</param>
    /// <returns>The map and the versions its ladders need.</returns>
    public LabelMonitor? Monitoring(byte[] label) => _monitors.TryGetValue(Hex(label), out var monitor) ? monitor : null;

    /// <summary>A contact monitoring request (section 13.2) for the label's monitoring map.</summary>
    /// <param name="label">A label looked up earlier.</param>
    /// <returns>The request advertising the last verified tree size.</returns>
    /// <exception cref="InvalidOperationException">Nothing of the label needs monitoring.</exception>
    public ContactMonitorRequest CreateContactMonitor(byte[] label)
    {
        var monitor = Monitoring(label) ?? throw new InvalidOperationException($"No version of the label {Hex(label)} needs monitoring: it was not looked up, or its terminal entries are distinguished (section 8).");
        return new ContactMonitorRequest((ulong)Last!.TreeSize, label, monitor.Map.OrderBy(p => p.Key).Select(p => new MonitorMapEntry((ulong)p.Key, p.Value)).ToList());
    }

    /// <summary>
    /// Verifies a contact monitoring response (section 13.2 steps 1 to 3): the contact algorithm of section
    /// 8.2 over the label's map, the log tree root and the head; then keeps the head and the new map (dropping
    /// the label once every version reached a distinguished entry). A failed response changes nothing.
    /// </summary>
    /// <param name="request">The request, made with <see cref="CreateContactMonitor"/> from the current state.</param>
    /// <param name="response">The log's response.</param>
    /// <returns>The new monitoring map; empty when monitoring is complete.</returns>
    /// <exception cref="ArgumentException">The request does not match the current state.</exception>
    /// <exception cref="DirectoryProofException">Why the response was rejected.</exception>
    public IReadOnlyDictionary<long, uint> VerifyContactMonitor(ContactMonitorRequest request, CombinedTreeResponse response)
    {
        var last = Last;
        var monitor = Monitoring(request.Label);
        if (last is null || monitor is null || request.Last != (ulong)last.TreeSize || !request.Entries.SequenceEqual(monitor.Map.OrderBy(p => p.Key).Select(p => new MonitorMapEntry((ulong)p.Key, p.Value))))
        {
            throw new ArgumentException("The request does not advertise the last verified tree size and the label's current monitoring map; make it with CreateContactMonitor.", nameof(request));
        }

        var treeSize = NewTreeSize(last, response.FullTreeHead);
        var walk = CombinedTreeWalk.Verifier(treeSize, last.Frontier, monitor.Versions, response.Proof);
        CheckTime(walk.UpdateView(last.TreeSize));
        var map = walk.ContactMonitor(monitor.Map, _config.ReasonableMonitoringWindow);
        Last = Complete(last, treeSize, walk, response.FullTreeHead, response.Proof.Inclusion);
        if (map.Count == 0)
        {
            _monitors.Remove(Hex(request.Label));
        }
        else
        {
            _monitors[Hex(request.Label)] = monitor with { Map = map };
        }

        return map;
    }

    /// <summary>A request to walk the recent distinguished entries (section 13.6), advertising the last verified tree size.</summary>
    /// <param name="stop">The stopping position (section 10.1); null for none.</param>
    /// <returns>The request.</returns>
    public DistinguishedRequest CreateDistinguished(ulong? stop = null) => new((ulong?)Last?.TreeSize, stop);

    /// <summary>
    /// Verifies a response to a <see cref="DistinguishedRequest"/> (section 13.6 steps 1 to 3): the walk of
    /// section 10.1, the log tree root and the head; then keeps the head.
    /// </summary>
    /// <param name="request">The request, made with <see cref="CreateDistinguished"/> from the current state.</param>
    /// <param name="response">The log's response.</param>
    /// <param name="recent">The application's number of recent distinguished entries, 1 to 10, as the log's.</param>
    /// <returns>The recent distinguished entries right of the stopping position and their timestamps, left to right.</returns>
    /// <exception cref="ArgumentException">The request does not advertise the current state.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="recent"/> is outside 1 to 10.</exception>
    /// <exception cref="DirectoryProofException">Why the response was rejected.</exception>
    public IReadOnlyList<(long Entry, ulong Timestamp)> VerifyDistinguished(DistinguishedRequest request, CombinedTreeResponse response, int recent)
    {
        KeyTransparencyDirectory.CheckRecent(recent);
        var last = CheckAdvertised(request.Last, nameof(request));

        var treeSize = NewTreeSize(last, response.FullTreeHead);
        var walk = CombinedTreeWalk.Verifier(treeSize, last?.Frontier ?? new Dictionary<long, RetainedEntry>(), new Dictionary<uint, LadderVersion>(), response.Proof);
        CheckTime(walk.UpdateView(last?.TreeSize ?? 0));
        var heads = walk.DistinguishedHeads((long?)request.Stop, recent, _config.ReasonableMonitoringWindow, _config.MaximumLifetime).Select(x => (x, walk.Timestamp(x))).ToList();
        Last = Complete(last, treeSize, walk, response.FullTreeHead, response.Proof.Inclusion);
        return heads;
    }

    /// <summary>The owner state of a label, after <see cref="VerifyOwnerInit"/>.</summary>
    /// <param name="label">The label.</param>
    /// <returns>The state; null when the user does not own the label.</returns>
    public OwnerState? Owner(byte[] label) => _owners.TryGetValue(Hex(label), out var owner) ? owner : null;

    /// <summary>An owner initialization request (section 13.3), advertising the last verified tree size.</summary>
    /// <param name="label">The label.</param>
    /// <param name="start">The starting position: an unexpired distinguished log entry.</param>
    /// <returns>The request.</returns>
    public OwnerInitRequest CreateOwnerInit(byte[] label, ulong start) => new((ulong?)Last?.TreeSize, label, start);

    /// <summary>
    /// Verifies an owner initialization response (section 13.3 steps 1 to 5) and that the label's greatest
    /// version at the start is the one the owner made; then keeps the head and the owner state. A failed
    /// response changes nothing. Versions made after the start need label updates (section 9), not implemented.
    /// </summary>
    /// <param name="request">The request, made with <see cref="CreateOwnerInit"/> from the current state.</param>
    /// <param name="response">The log's response.</param>
    /// <param name="made">The greatest version of the label the owner made as of the start; null for none.</param>
    /// <exception cref="ArgumentException">The request does not advertise the current state.</exception>
    /// <exception cref="DirectoryProofException">Why the response was rejected; <see cref="DirectoryProofFailure.UnexpectedVersion"/> when the log shows a version the owner did not make or lacks one it made.</exception>
    public void VerifyOwnerInit(OwnerInitRequest request, OwnerInitResponse response, uint? made)
    {
        var last = CheckAdvertised(request.Last, nameof(request));
        var greatest = response.GreatestVersions;
        uint? top = greatest.Count > 0 ? greatest[0] : null;
        if (top != made)
        {
            throw new DirectoryProofException(DirectoryProofFailure.UnexpectedVersion, $"The log claims greatest version {top?.ToString(CultureInfo.InvariantCulture) ?? "none"} of the label at the start; the owner made {made?.ToString(CultureInfo.InvariantCulture) ?? "none"} (section 8.3).");
        }

        // Step 2: version 0 and every search ladder version, ascending; a commitment exactly for those up to the greatest at the start.
        var expected = greatest.SelectMany(BinaryLadder.Versions).Append(0u).Distinct().OrderBy(v => v).ToList();
        if (response.BinaryLadder.Count != expected.Count)
        {
            throw new DirectoryProofException(DirectoryProofFailure.ProofLengthMismatch, $"OwnerInitResponse.binary_ladder has {response.BinaryLadder.Count} steps; the greatest versions need {expected.Count} (versions {string.Join(", ", expected)}).");
        }

        var versions = new Dictionary<uint, LadderVersion>();
        for (var i = 0; i < expected.Count; i++)
        {
            var (v, step) = (expected[i], response.BinaryLadder[i]);
            if ((step.Commitment is not null) != (v <= top))
            {
                throw new DirectoryProofException(DirectoryProofFailure.Malformed, $"OwnerInitResponse.binary_ladder[{i}] (version {v}) {(step.Commitment is null ? "has no" : "has a")} commitment; exactly the versions up to the greatest at the start have one.");
            }

            versions[v] = new LadderVersion(_config.CipherSuite.VerifySearchKey(_vrf, _config.VrfPublicKey, request.Label, v, step.Proof), step.Commitment);
        }

        var treeSize = NewTreeSize(last, response.FullTreeHead);
        var walk = CombinedTreeWalk.Verifier(treeSize, last?.Frontier ?? new Dictionary<long, RetainedEntry>(), versions, response.Init);
        CheckTime(walk.UpdateView(last?.TreeSize ?? 0));
        walk.OwnerInit((long)request.Start, _ => greatest, _config.ReasonableMonitoringWindow, _config.MaximumLifetime);
        Last = Complete(last, treeSize, walk, response.FullTreeHead, response.Init.Inclusion);
        var ladder = made is { } g ? BinaryLadder.Versions(g) : [0u];
        _owners[Hex(request.Label)] = new OwnerState((long)request.Start, made, ladder.ToDictionary(v => v, v => versions[v]));
    }

    /// <summary>An owner monitoring request (section 13.4) from the label's owner state, advertising the last verified tree size.</summary>
    /// <param name="label">A label initialized with <see cref="VerifyOwnerInit"/>.</param>
    /// <returns>The request.</returns>
    /// <exception cref="InvalidOperationException">The user does not own the label.</exception>
    public OwnerMonitorRequest CreateOwnerMonitor(byte[] label)
    {
        var owner = Owner(label) ?? throw new InvalidOperationException($"The label {Hex(label)} has no owner state; initialize it first (section 13.3).");
        return new OwnerMonitorRequest((ulong)Last!.TreeSize, label, [], (ulong)owner.Start, owner.Greatest);
    }

    /// <summary>
    /// Verifies an owner monitoring response (section 13.4 steps 1 to 3): every distinguished entry the proof
    /// reaches right of the start shows exactly the versions the owner made; then keeps the head and moves
    /// the start to the rightmost entry checked. A failed response changes nothing.
    /// </summary>
    /// <param name="request">The request, made with <see cref="CreateOwnerMonitor"/> from the current state.</param>
    /// <param name="response">The log's response.</param>
    /// <returns>The distinguished entries checked, left to right; empty once the owner is up to date.</returns>
    /// <exception cref="ArgumentException">The request does not match the current state.</exception>
    /// <exception cref="DirectoryProofException">Why the response was rejected; <see cref="DirectoryProofFailure.UnexpectedVersion"/> when the log shows a version the owner did not make or lacks one it made.</exception>
    public IReadOnlyList<long> VerifyOwnerMonitor(OwnerMonitorRequest request, CombinedTreeResponse response)
    {
        var last = Last;
        var owner = Owner(request.Label);
        if (last is null || owner is null || request.Last != (ulong)last.TreeSize || request.Entries.Count > 0 || request.Start != (ulong)owner.Start || request.GreatestVersion != owner.Greatest)
        {
            throw new ArgumentException("The request does not advertise the last verified tree size and the label's owner state; make it with CreateOwnerMonitor.", nameof(request));
        }

        var treeSize = NewTreeSize(last, response.FullTreeHead);
        var walk = CombinedTreeWalk.Verifier(treeSize, last.Frontier, owner.Versions, response.Proof);
        CheckTime(walk.UpdateView(last.TreeSize));
        var checkedEntries = walk.OwnerMonitor(owner.Start, owner.Greatest, _config.ReasonableMonitoringWindow, 0);
        Last = Complete(last, treeSize, walk, response.FullTreeHead, response.Proof.Inclusion);
        _owners[Hex(request.Label)] = owner with { Start = checkedEntries.Count > 0 ? checkedEntries[^1] : owner.Start };
        return checkedEntries;
    }

    /// <summary>Rejects configurations outside what the directory implements.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="parameter">The parameter name for the exception.</param>
    /// <exception cref="ArgumentException">Not Contact Monitoring, or a maximum lifetime not above the RMW (section 7.1).</exception>
    internal static void CheckSupported(LogConfiguration config, string parameter)
    {
        if (config.Mode != DeploymentMode.ContactMonitoring)
        {
            throw new ArgumentException($"The in-memory directory implements Contact Monitoring; this configuration is {config.Mode}.", parameter);
        }

        if (config.MaximumLifetime is { } lifetime && (lifetime == 0 || lifetime <= config.ReasonableMonitoringWindow))
        {
            throw new ArgumentException($"A maximum lifetime must be greater than zero and than the Reasonable Monitoring Window ({config.ReasonableMonitoringWindow} ms); it is {lifetime} ms (section 7.1).", parameter);
        }
    }

    // A request must advertise the last verified tree size, so the proof starts from the retained state.
    private VerifiedTreeHead? CheckAdvertised(ulong? advertised, string parameter)
    {
        var last = Last;
        if (advertised != (ulong?)last?.TreeSize)
        {
            throw new ArgumentException($"The request advertises tree size {advertised?.ToString(CultureInfo.InvariantCulture) ?? "none"}, but the last verified head has {last?.TreeSize.ToString(CultureInfo.InvariantCulture) ?? "none"}.", parameter);
        }

        return last;
    }

    // Section 13.1 steps 1 and 2: the value, the version's presence, the ladder's length, no commitment for the target.
    private static uint CheckShape(SearchRequest request, SearchResponse response)
    {
        if (response.Value.Signature is not null)
        {
            throw new DirectoryProofException(DirectoryProofFailure.Malformed, "UpdateValue.suffix carries a signature only in Third-Party Management mode; this log is in Contact Monitoring mode.");
        }

        if ((request.Version is null) == (response.Version is null))
        {
            throw new DirectoryProofException(DirectoryProofFailure.Malformed, $"SearchResponse.version is present exactly when the request names no version; the request {(request.Version is null ? "names none" : $"names {request.Version}")} and the response {(response.Version is null ? "has none" : $"has {response.Version}")}.");
        }

        if (response.Opening.Length != KeyTransparencyCipherSuite.OpeningSize)
        {
            throw new DirectoryProofException(DirectoryProofFailure.SizeMismatch, $"SearchResponse.opening is {response.Opening.Length} bytes; Nc is {KeyTransparencyCipherSuite.OpeningSize}.");
        }

        var target = request.Version ?? response.Version!.Value;
        var expected = BinaryLadder.Versions(target);
        if (response.BinaryLadder.Count != expected.Count)
        {
            throw new DirectoryProofException(DirectoryProofFailure.ProofLengthMismatch, $"The binary ladder for version {target} has {expected.Count} steps (versions {string.Join(", ", expected)}); the response has {response.BinaryLadder.Count}.");
        }

        if (response.BinaryLadder[expected.IndexOf(target)].Commitment is not null)
        {
            throw new DirectoryProofException(DirectoryProofFailure.Malformed, $"The binary ladder step for the target version {target} carries a commitment; it is computed from the opening and value instead.");
        }

        return target;
    }

    // Step 3: the search key of every ladder version from its VRF proof; the target's commitment from the opening and value.
    private Dictionary<uint, LadderVersion> VerifyLadder(byte[] label, uint target, SearchResponse response)
    {
        var versions = new Dictionary<uint, LadderVersion>();
        var expected = BinaryLadder.Versions(target);
        for (var i = 0; i < expected.Count; i++)
        {
            var v = expected[i];
            var step = response.BinaryLadder[i];
            var searchKey = _config.CipherSuite.VerifySearchKey(_vrf, _config.VrfPublicKey, label, v, step.Proof);
            var commitment = v == target ? Commitment.Compute(response.Opening, label, v, response.Value, _config.Mode) : step.Commitment;
            versions[v] = new LadderVersion(searchKey, commitment);
        }

        return versions;
    }

    // Section 11.4 step 2.1 and section 13: an updated head must be larger than the last one; `same` needs a last one.
    private static long NewTreeSize(VerifiedTreeHead? last, FullTreeHead head)
    {
        if (head.TreeHead is not { } treeHead)
        {
            return last?.TreeSize ?? throw new DirectoryProofException(DirectoryProofFailure.Malformed, "The response keeps the same tree head (head_type = same), but the request advertised no previous tree size.");
        }

        if (treeHead.TreeSize is 0 or > long.MaxValue)
        {
            throw new DirectoryProofException(DirectoryProofFailure.TreeSizeInvalid, $"TreeHead.tree_size is {treeHead.TreeSize}; a searchable log has 1 to {long.MaxValue} entries.");
        }

        if (last is not null && (long)treeHead.TreeSize <= last.TreeSize)
        {
            throw new DirectoryProofException(
                DirectoryProofFailure.ForkDetected,
                $"The updated tree head has size {treeHead.TreeSize}, not greater than the last verified size {last.TreeSize} (root {Hex(last.Root)}); an updated head must extend the last one.");
        }

        return (long)treeHead.TreeSize;
    }

    // The label's monitoring state with (terminal, version) added, and the search keys and commitments of the
    // version's monitoring ladder (section 8.1). Section 13.2 allows no duplicate position or version: an entry
    // already monitored keeps the greater version, and a version already monitored keeps the position further
    // up its direct path (both lie on the direct path of the entry that added the version).
    private LabelMonitor Monitor(byte[] label, long terminal, uint version, Dictionary<uint, LadderVersion> ladder)
    {
        var known = Monitoring(label);
        var map = known is null ? new SortedDictionary<long, uint>() : new SortedDictionary<long, uint>(known.Map.ToDictionary(p => p.Key, p => p.Value));
        var versions = known is null ? [] : known.Versions.ToDictionary(p => p.Key, p => p.Value);
        var same = map.Where(p => p.Value == version).Select(p => p.Key).ToList();
        if (same.All(position => position < terminal))
        {
            same.ForEach(position => map.Remove(position));
            map[terminal] = map.TryGetValue(terminal, out var other) ? Math.Max(other, version) : version;
        }

        foreach (var v in BinaryLadder.MonitoringVersions(version))
        {
            versions[v] = ladder[v];
        }

        return new LabelMonitor(map, versions);
    }

    // Section 13.1 steps 5 and 6 (13.2 steps 2 and 3): the queues used up, the root from the inclusion proof and the retained full subtrees, the head.
    private VerifiedTreeHead Complete(VerifiedTreeHead? last, long treeSize, CombinedTreeWalk walk, FullTreeHead fullTreeHead, LogTreeInclusionProof inclusion)
    {
        var (leaves, frontier) = walk.Finish();
        var (root, fullSubtrees) = ComputeRoot(last, treeSize, leaves, inclusion);
        var head = VerifyHead(last, treeSize, root, fullTreeHead);
        return new VerifiedTreeHead(treeSize, root, head, fullSubtrees, frontier);
    }

    // Section 4.2: the rightmost entry's timestamp within max_behind and max_ahead of the local clock.
    private void CheckTime(ulong rightmost)
    {
        var now = (ulong)Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds());
        if (now > rightmost && now - rightmost > _config.MaxBehind)
        {
            throw new DirectoryProofException(DirectoryProofFailure.TreeHeadStale, $"The rightmost log entry has timestamp {rightmost}, {now - rightmost} ms before the local clock ({now}); max_behind is {_config.MaxBehind} ms.");
        }

        if (rightmost > now && rightmost - now > _config.MaxAhead)
        {
            throw new DirectoryProofException(DirectoryProofFailure.TreeHeadAhead, $"The rightmost log entry has timestamp {rightmost}, {rightmost - now} ms after the local clock ({now}); max_ahead is {_config.MaxAhead} ms.");
        }
    }

    // Section 13.1 step 5: the root from the inclusion proof and the retained full subtrees; a retained subtree that the proof recomputes differently is a fork.
    private static (byte[] Root, byte[][] FullSubtrees) ComputeRoot(VerifiedTreeHead? last, long treeSize, Dictionary<long, byte[]> leaves, LogTreeInclusionProof inclusion)
    {
        try
        {
            return LogTree.ComputeRootAndFullSubtrees(treeSize, leaves, last?.TreeSize ?? 0, last?.FullSubtrees ?? [], inclusion);
        }
        catch (DirectoryProofException e) when (last is not null && e.Failure == DirectoryProofFailure.RetainedValueMismatch)
        {
            throw Fork(last, treeSize, e.Message, e);
        }
    }

    // Section 13.1 step 6 and section 11.4: the signature over the computed root, or for `same` the retained root.
    private TreeHead VerifyHead(VerifiedTreeHead? last, long treeSize, byte[] root, FullTreeHead fullTreeHead)
    {
        if (fullTreeHead.TreeHead is not { } head)
        {
            if (!CryptographicOperations.FixedTimeEquals(root, last!.Root))
            {
                throw Fork(last, treeSize, $"the proof computes root {Hex(root)} for the same head", null);
            }

            return last.Head;
        }

        try
        {
            head.Verify(_config, root);
        }
        catch (DirectoryProofException e) when (last is not null && e.Failure == DirectoryProofFailure.SignatureInvalid)
        {
            // The root was computed from the retained full subtrees, so a head over any other tree fails here.
            throw Fork(last, treeSize, $"the signature does not cover root {Hex(root)}, computed from the proof and the retained full subtrees ({e.Message})", e);
        }

        return head;
    }

    private static DirectoryProofException Fork(VerifiedTreeHead last, long treeSize, string detail, Exception? inner)
    {
        var message = $"The tree head of size {treeSize} does not extend the last verified head of size {last.TreeSize} with root {Hex(last.Root)}: {detail}. The log has forked, or the response was altered.";
        return inner is null ? new DirectoryProofException(DirectoryProofFailure.ForkDetected, message) : new DirectoryProofException(DirectoryProofFailure.ForkDetected, message, inner);
    }
}
