using Pki.KeyTransparency.Directory;

namespace Pki.KeyTransparency.Tests.Directory;

internal static class DirectoryAssert
{
    /// <summary>Runs <paramref name="action"/> and checks it throws <see cref="DirectoryProofException"/> with one of the failures and a message containing <paramref name="messagePart"/>.</summary>
    public static DirectoryProofException Throws(Action action, string? messagePart, params DirectoryProofFailure[] failures)
    {
        var exception = Assert.Throws<DirectoryProofException>(action);
        Assert.Contains(exception.Failure, failures);
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, exception.Message, StringComparison.Ordinal);
        }

        return exception;
    }

    /// <summary>True when <paramref name="action"/> throws <see cref="DirectoryProofException"/> with one of the failures and a non-empty message.</summary>
    public static bool Rejects(Action action, params DirectoryProofFailure[] failures)
    {
        try
        {
            action();
            return false;
        }
        catch (DirectoryProofException e)
        {
            return failures.Contains(e.Failure) && e.Message.Length > 20;
        }
    }

    public static readonly DirectoryProofFailure[] AnyFailure = Enum.GetValues<DirectoryProofFailure>().Where(f => f != DirectoryProofFailure.None).ToArray();

    /// <summary>The proof tamperings, and for an updated head a flipped signature bit and a larger tree size.</summary>
    public static List<(string Name, CombinedTreeResponse Response)> Tamperings(CombinedTreeResponse response)
    {
        var list = Tamperings(response.Proof).Select(t => (t.Name, response with { Proof = t.Proof })).ToList();
        if (response.FullTreeHead.TreeHead is { } head)
        {
            list.Add(("signature", response with { FullTreeHead = new FullTreeHead(head with { Signature = FlipBit(head.Signature, 9) }) }));
            list.Add(("tree size", response with { FullTreeHead = new FullTreeHead(head with { TreeSize = head.TreeSize + 1 }) }));
        }

        return list;
    }

    /// <summary>The names of the tamperings that <paramref name="verify"/> did not reject with a typed failure.</summary>
    public static List<string> Accepted<T>(IEnumerable<(string Name, T Response)> tamperings, Action<T> verify) =>
        tamperings.Where(t => !Rejects(() => verify(t.Response), AnyFailure)).Select(t => t.Name).ToList();

    /// <summary>Every element of the proof changed in turn (a flipped bit, a deeper result, an extra element), with a name for each.</summary>
    public static IEnumerable<(string Name, CombinedTreeProof Proof)> Tamperings(CombinedTreeProof s)
    {
        for (var i = 0; i < s.Timestamps.Count; i++)
        {
            var t = s.Timestamps.ToArray();
            t[i] ^= 1UL << (i % 40);
            yield return ($"timestamp {i}", s with { Timestamps = t });
        }

        for (var p = 0; p < s.PrefixProofs.Count; p++)
        {
            var proof = s.PrefixProofs[p];
            for (var e = 0; e < proof.Elements.Count; e++)
            {
                yield return ($"prefix proof {p} element {e}", s with { PrefixProofs = Replace(s.PrefixProofs, p, proof with { Elements = Replace(proof.Elements, e, DirectoryAssert.FlipBit(proof.Elements[e], e * 7)) }) });
            }

            for (var k = 0; k < proof.Results.Count; k++)
            {
                var result = proof.Results[k];
                yield return ($"prefix proof {p} result {k} depth", s with { PrefixProofs = Replace(s.PrefixProofs, p, proof with { Results = Replace(proof.Results, k, result with { Depth = result.Depth + 1 }) }) });
                if (result.Leaf is { } leaf)
                {
                    var flipped = result with { Leaf = leaf with { Commitment = DirectoryAssert.FlipBit(leaf.Commitment, k) } };
                    yield return ($"prefix proof {p} result {k} leaf", s with { PrefixProofs = Replace(s.PrefixProofs, p, proof with { Results = Replace(proof.Results, k, flipped) }) });
                }
            }
        }

        for (var i = 0; i < s.PrefixRoots.Count; i++)
        {
            yield return ($"prefix root {i}", s with { PrefixRoots = Replace(s.PrefixRoots, i, DirectoryAssert.FlipBit(s.PrefixRoots[i], i)) });
        }

        for (var i = 0; i < s.Inclusion.Elements.Count; i++)
        {
            yield return ($"inclusion {i}", s with { Inclusion = new LogTreeInclusionProof(Replace(s.Inclusion.Elements, i, DirectoryAssert.FlipBit(s.Inclusion.Elements[i], i * 3))) });
        }

        yield return ("extra timestamp", s with { Timestamps = [.. s.Timestamps, s.Timestamps.Count > 0 ? s.Timestamps[s.Timestamps.Count - 1] : 0UL] });
        yield return ("extra prefix root", s with { PrefixRoots = [.. s.PrefixRoots, new byte[32]] });
        if (s.PrefixProofs.Count > 0)
        {
            yield return ("extra prefix proof", s with { PrefixProofs = [.. s.PrefixProofs, s.PrefixProofs[0]] });
        }
    }

    public static IReadOnlyList<T> Replace<T>(IReadOnlyList<T> list, int index, T value)
    {
        var copy = list.ToArray();
        copy[index] = value;
        return copy;
    }

    public static byte[] FlipBit(byte[] bytes, int bit)
    {
        var copy = (byte[])bytes.Clone();
        var position = (int)((uint)bit % (uint)(copy.Length * 8));
        copy[position / 8] ^= (byte)(1 << (position % 8));
        return copy;
    }

    public static byte[] Key(int seed)
    {
        var key = new byte[32];
        new Random(seed).NextBytes(key);
        return key;
    }
}
