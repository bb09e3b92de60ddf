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
