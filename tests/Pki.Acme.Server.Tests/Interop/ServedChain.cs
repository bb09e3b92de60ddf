using System.Security.Cryptography.X509Certificates;

namespace Pki.Acme.Server.Tests.Interop;

/// <summary>Chain checks shared by the interop tests.</summary>
internal static class ServedChain
{
    /// <summary>Asserts that <paramref name="leaf"/> with the served <paramref name="intermediates"/> builds to <paramref name="root"/> and nothing else.</summary>
    public static void AssertBuildsTo(X509Certificate2 root, X509Certificate2 leaf, IEnumerable<X509Certificate2> intermediates)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(root.Thumbprint, chain.ChainElements[^1].Certificate.Thumbprint);
    }
}
