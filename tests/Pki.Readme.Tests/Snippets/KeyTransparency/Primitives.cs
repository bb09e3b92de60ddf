// README:begin src/Pki.KeyTransparency/README.md#1
using System.Text;
using DnsClient;
using Pki.KeyTransparency.Discovery;
using Pki.KeyTransparency.Merkle;
using Pki.KeyTransparency.TreeHeads;
using Pki.KeyTransparency.Vrf;
// README:end

namespace Pki.Readme.Tests.Snippets.KeyTransparency;

/// <summary>What the README example found, for the test to check.</summary>
public sealed record PrimitivesResult(bool Included, bool Consistent, bool HeadValid, VrfVerificationResult Vrf, KeyTransparencyDiscoveryResult Found);

/// <summary>Pki.KeyTransparency's README, the opening example.</summary>
public static class Primitives
{
    public static async Task<PrimitivesResult> RunAsync(System.Net.IPEndPoint nameServer)
    {
        // README:begin src/Pki.KeyTransparency/README.md#1
        // 1. An append-only log (RFC 9162, SHA-256) with a root at every size.
        var log = new MerkleLog();
        log.AppendRange(Enumerable.Range(0, 1000).Select(i => Encoding.UTF8.GetBytes($"entry {i}")));
        byte[] root = log.GetRoot();

        // 2. Inclusion of entry 42 and consistency of the log at size 500 with now.
        byte[] inclusion = log.GetInclusionProof(42, log.Size);
        var included = MerkleProofVerifier.VerifyInclusion(
            log.Hasher, 42, log.Size, log.Hasher.HashLeaf(Encoding.UTF8.GetBytes("entry 42")), inclusion, root);
        byte[] consistency = log.GetConsistencyProof(500, log.Size);
        var consistent = MerkleProofVerifier.VerifyConsistency(
            log.Hasher, 500, log.Size, log.GetRoot(500), root, consistency);

        // 3. A signed tree head (Ed25519 here; ECDSA P-256 with TreeHeadSigner.CreateEcdsaP256).
        using var signer = TreeHeadSigner.CreateEd25519(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        byte[] wire = signer.Sign(log.Size, root).Encode();
        using var verifier = TreeHeadVerifier.CreateEd25519(signer.PublicKey);
        var head = verifier.Verify(SignedTreeHead.Decode(wire));

        // 4. A VRF hides which addresses the directory holds, yet anyone can check the mapping.
        IVrf vrf = new EcVrfEdwards25519Sha512Tai();
        using VrfKeyPair key = vrf.GenerateKeyPair();
        byte[] pi = vrf.Prove(key, "alice@example.com"u8);
        VrfVerificationResult checkedVrf = vrf.Verify(key.PublicKey, "alice@example.com"u8, pi);
        // checkedVrf.Output is beta, the pseudorandom index of alice@example.com.

        // 5. Where is example.com's key transparency service? (SRV _sm._keytransparency._https)
        // nameServer: the resolver to ask, an IPEndPoint (new LookupClient() asks the system's resolvers).
        var discovery = new KeyTransparencyServiceDiscovery(new LookupClient(nameServer));
        var found = await discovery.DiscoverAsync("example.com", CancellationToken.None);
        // found.Status: Found (found.Endpoints in RFC 2782 order), NonePublished or Declined.
        // README:end
        return new PrimitivesResult(included.IsValid, consistent.IsValid, head.IsValid, checkedVrf, found);
    }
}
