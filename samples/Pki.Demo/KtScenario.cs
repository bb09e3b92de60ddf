using System.CommandLine;
using System.Text;
using Pki.KeyTransparency.Merkle;
using Pki.KeyTransparency.TreeHeads;
using Pki.KeyTransparency.Vrf;

namespace Pki.Demo;

/// <summary>
/// <c>kt [--entries N] [--email ADDRESS] [--suite ed25519|p256]</c>: builds a Merkle log of N entries,
/// prints its root, an inclusion and a consistency proof and verifies them, signs the tree head, and
/// proves and verifies a VRF output for an email address.
/// </summary>
internal sealed class KtScenario : IDemoScenario
{
    private const int DefaultEntries = 1000;
    private const string DefaultEmail = "alice@example.com";

    public int Order => 50;

    public Command CreateCommand()
    {
        var entries = new Option<int>("--entries") { Description = "Number of log entries to build (at least 2)", DefaultValueFactory = _ => DefaultEntries };
        var email = new Option<string>("--email") { Description = "Email address to map through the VRF", DefaultValueFactory = _ => DefaultEmail };
        var suite = new Option<string>("--suite") { Description = "VRF suite: ed25519 (ECVRF-EDWARDS25519-SHA512-TAI) or p256 (ECVRF-P256-SHA256-TAI)", DefaultValueFactory = _ => "ed25519" };
        var command = new Command("kt", "Key transparency: Merkle log root and proofs (RFC 9162), a signed tree head, and a VRF proof for an email address (RFC 9381).");
        command.Options.Add(entries);
        command.Options.Add(email);
        command.Options.Add(suite);
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
            await RunAsync(Console.Out, result.GetValue(entries), result.GetValue(email)!, result.GetValue(suite)!, cancellationToken));
        return command;
    }

    public Task<int> RunOfflineAsync(TextWriter output, CancellationToken cancellationToken) =>
        RunAsync(output, DefaultEntries, DefaultEmail, "ed25519", cancellationToken);

    private static async Task<int> RunAsync(TextWriter output, int entries, string email, string suiteName, CancellationToken cancellationToken)
    {
        if (entries < 2)
        {
            await output.WriteLineAsync($"--entries must be at least 2 (got {entries}): a consistency proof needs two sizes.");
            return 2;
        }

        IVrf? vrf = suiteName.ToLowerInvariant() switch
        {
            "ed25519" => new EcVrfEdwards25519Sha512Tai(),
            "p256" => new EcVrfP256Sha256Tai(),
            _ => null,
        };
        if (vrf is null)
        {
            await output.WriteLineAsync($"--suite must be ed25519 or p256 (got '{suiteName}').");
            return 2;
        }

        // 1. The log: N entries, RFC 9162 hashing, built in batches.
        var log = new MerkleLog();
        log.AppendRange(Enumerable.Range(0, entries).Select(i => Encoding.UTF8.GetBytes($"entry {i}")));
        var root = log.GetRoot();
        await output.WriteLineAsync($"Merkle log (RFC 9162, SHA-256): {log.Size} entries, root {Hex(root)}");
        cancellationToken.ThrowIfCancellationRequested();

        // 2. Inclusion proof of the middle entry.
        var index = entries / 2;
        var inclusion = log.GetInclusionProof(index, log.Size);
        var included = MerkleProofVerifier.VerifyInclusion(log.Hasher, index, log.Size, log.Hasher.HashLeaf(Encoding.UTF8.GetBytes($"entry {index}")), inclusion, root);
        await output.WriteLineAsync($"Inclusion proof of entry {index}: {inclusion.Length / 32} hashes, first {Hex(inclusion.AsSpan(0, 32))}; verify: {included}");

        // 3. Consistency proof from the log at a third of its size to now.
        var earlier = Math.Max(1, entries / 3);
        var consistency = log.GetConsistencyProof(earlier, log.Size);
        var consistent = MerkleProofVerifier.VerifyConsistency(log.Hasher, earlier, log.Size, log.GetRoot(earlier), root, consistency);
        await output.WriteLineAsync($"Consistency proof {earlier} -> {log.Size}: {consistency.Length / 32} hashes; verify: {consistent}");

        // A tampered proof fails, with the reason.
        var tampered = (byte[])inclusion.Clone();
        tampered[0] ^= 1;
        var rejected = MerkleProofVerifier.VerifyInclusion(log.Hasher, index, log.Size, log.GetLeafHash(index), tampered, root);
        await output.WriteLineAsync($"Same inclusion proof with one bit flipped: {rejected.Failure}");

        // 4. A signed tree head (Ed25519, a fresh key).
        var seed = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        using var signer = TreeHeadSigner.CreateEd25519(seed);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(seed);
        var head = signer.Sign(log.Size, root);
        using var headVerifier = TreeHeadVerifier.CreateEd25519(signer.PublicKey);
        var headCheck = headVerifier.Verify(SignedTreeHead.Decode(head.Encode()));
        await output.WriteLineAsync($"Signed tree head: size {head.TreeSize}, {head.Timestamp:O}, {head.Encode().Length} bytes; verify: {headCheck.Message}");

        // 5. The VRF maps the email address to a pseudorandom index; anyone with the public key can check it.
        using var key = vrf.GenerateKeyPair();
        var alpha = Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant());
        var proof = vrf.Prove(key, alpha);
        var vrfCheck = vrf.Verify(key.PublicKey, alpha, proof);
        await output.WriteLineAsync($"{vrf.SuiteName} for '{email}': public key {Hex(key.PublicKey)}");
        await output.WriteLineAsync($"  proof {Hex(proof)}");
        await output.WriteLineAsync($"  output {Hex(vrfCheck.Output)}; verify: {vrfCheck.Message}");
        var other = vrf.Verify(key.PublicKey, Encoding.UTF8.GetBytes("mallory@example.com"), proof);
        await output.WriteLineAsync($"  the same proof for another address: {other.Failure}");

        return included.IsValid && consistent.IsValid && !rejected.IsValid && headCheck.IsValid && vrfCheck.IsValid && !other.IsValid ? 0 : 1;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
