using Pki.KeyTransparency.Merkle;

namespace Pki.KeyTransparency.Tests;

/// <summary>
/// A literal, slow transcription of RFC 9162 section 2.1 (MTH, PATH, PROOF/SUBPROOF) over a list of
/// leaf inputs, kept to cross-check the fast log. Node kinds (leaf or parent) are passed to the
/// strategy so the same reference serves the key transparency log hashing.
/// </summary>
internal static class ReferenceMerkle
{
    private static int K(int n)
    {
        // k = the largest power of two smaller than n
        var k = 1;
        while (k << 1 < n)
        {
            k <<= 1;
        }

        return k;
    }

    // MTH({}) = HASH(); MTH({d(0)}) = HASH(0x00 || d(0)); MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
    public static byte[] Mth(MerkleTreeHasher hasher, IReadOnlyList<byte[]> d)
    {
        if (d.Count == 0)
        {
            var empty = new byte[hasher.HashSize];
            Assert.True(hasher.TryWriteEmptyRoot(empty));
            return empty;
        }

        if (d.Count == 1)
        {
            return hasher.HashLeaf(d[0]);
        }

        var k = K(d.Count);
        var left = d.Take(k).ToList();
        var right = d.Skip(k).ToList();
        var result = new byte[hasher.HashSize];
        hasher.HashChildren(Mth(hasher, left), left.Count == 1, Mth(hasher, right), right.Count == 1, result);
        return result;
    }

    // PATH(0, {d(0)}) = {}; PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k;
    // PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k]) for m >= k
    public static List<byte[]> Path(MerkleTreeHasher hasher, int m, IReadOnlyList<byte[]> d)
    {
        if (d.Count == 1)
        {
            return [];
        }

        var k = K(d.Count);
        if (m < k)
        {
            var path = Path(hasher, m, d.Take(k).ToList());
            path.Add(Mth(hasher, d.Skip(k).ToList()));
            return path;
        }
        else
        {
            var path = Path(hasher, m - k, d.Skip(k).ToList());
            path.Add(Mth(hasher, d.Take(k).ToList()));
            return path;
        }
    }

    // PROOF(m, D[n]) = SUBPROOF(m, D[n], true)
    public static List<byte[]> Proof(MerkleTreeHasher hasher, int m, IReadOnlyList<byte[]> d) => SubProof(hasher, m, d, true);

    private static List<byte[]> SubProof(MerkleTreeHasher hasher, int m, IReadOnlyList<byte[]> d, bool b)
    {
        var n = d.Count;
        if (m == n)
        {
            return b ? [] : [Mth(hasher, d)];
        }

        var k = K(n);
        if (m <= k)
        {
            var proof = SubProof(hasher, m, d.Take(k).ToList(), b);
            proof.Add(Mth(hasher, d.Skip(k).ToList()));
            return proof;
        }
        else
        {
            var proof = SubProof(hasher, m - k, d.Skip(k).ToList(), false);
            proof.Add(Mth(hasher, d.Take(k).ToList()));
            return proof;
        }
    }
}
