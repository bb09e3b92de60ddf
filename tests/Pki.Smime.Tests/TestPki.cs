using System.Security.Cryptography;
using Pki.Smime.Internal;
using Pki.Smime.Testing;

namespace Pki.Smime.Tests;

/// <summary>A clock that always says the same time.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>A deterministic "random" source: bytes counting up from a seed (for serial-number tests only).</summary>
internal sealed class CountingRandom(byte seed) : RandomNumberGenerator
{
    private byte _next = seed;

    public override void GetBytes(byte[] data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = _next++;
        }
    }
}

/// <summary>Shared keys and hierarchies; key generation is the slow part of these tests.</summary>
internal static class TestPki
{
    /// <summary>Issue time of ordinary test certificates.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Issue time of Legacy test certificates: before the 2025-07-15 sunset.</summary>
    public static readonly DateTimeOffset BeforeSunset = new(2025, 1, 10, 8, 30, 0, TimeSpan.Zero);

    private static readonly Lazy<SmimeTestHierarchy> EcHierarchy = new(() => SmimeTestHierarchy.Create(SmimeKeyAlgorithm.EcP256, new FixedTime(BeforeSunset.AddDays(-30))));
    private static readonly Lazy<SmimeTestHierarchy> RsaHierarchy = new(() => SmimeTestHierarchy.Create(SmimeKeyAlgorithm.Rsa, new FixedTime(BeforeSunset.AddDays(-30))));
    private static readonly Lazy<SmimeTestHierarchy> EdHierarchy = new(() => SmimeTestHierarchy.Create(SmimeKeyAlgorithm.Ed25519, new FixedTime(BeforeSunset.AddDays(-30))));
    private static readonly Dictionary<SmimeKeyAlgorithm, Lazy<SmimeKeyPair>> SubscriberKeys = new()
    {
        [SmimeKeyAlgorithm.Rsa] = new(() => SmimeKeyPair.Generate(SmimeKeyAlgorithm.Rsa)),
        [SmimeKeyAlgorithm.EcP256] = new(() => SmimeKeyPair.Generate(SmimeKeyAlgorithm.EcP256)),
        [SmimeKeyAlgorithm.EcP384] = new(() => SmimeKeyPair.Generate(SmimeKeyAlgorithm.EcP384)),
        [SmimeKeyAlgorithm.EcP521] = new(() => SmimeKeyPair.Generate(SmimeKeyAlgorithm.EcP521)),
        [SmimeKeyAlgorithm.Ed25519] = new(() => SmimeKeyPair.Generate(SmimeKeyAlgorithm.Ed25519)),
    };

    public static SmimeTestHierarchy Hierarchy(SmimeKeyAlgorithm algorithm = SmimeKeyAlgorithm.EcP256) => algorithm switch
    {
        SmimeKeyAlgorithm.Rsa => RsaHierarchy.Value,
        SmimeKeyAlgorithm.Ed25519 => EdHierarchy.Value,
        _ => EcHierarchy.Value,
    };

    public static SmimeIssuingCa Ca => Hierarchy().IssuingCa;

    public static SmimePublicKey Key(SmimeKeyAlgorithm algorithm = SmimeKeyAlgorithm.EcP256) => SubscriberKeys[algorithm].Value.PublicKey;

    public static SmimeCertificateBuilder Builder(bool legacy = false) =>
        new(new SmimeBuilderOptions { AllowLegacyGeneration = legacy }, new FixedTime(legacy ? BeforeSunset : Now));

    /// <summary>Subject data that fits every generation of the type (no street or postal code, which Strict forbids).</summary>
    public static SmimeSubject SubjectFor(SmimeValidationType type) => type switch
    {
        SmimeValidationType.Mailbox => new SmimeSubject { CommonName = "alice@example.test" },
        SmimeValidationType.Organization => new SmimeSubject
        {
            CommonName = "Example Widgets Ltd", OrganizationName = "Example Widgets Ltd", OrganizationIdentifier = "NTRGB-12345678",
            Country = "GB", Locality = "London",
        },
        SmimeValidationType.Sponsor => new SmimeSubject
        {
            CommonName = "Alice Example", GivenName = "Alice", Surname = "Example", OrganizationName = "Example Widgets Ltd",
            OrganizationIdentifier = "NTRGB-12345678", Country = "GB", Title = "Engineer",
        },
        _ => new SmimeSubject { CommonName = "Alice Example", GivenName = "Alice", Surname = "Example", Country = "GB" },
    };

    public static SmimeCertificateRequest Request(SmimeProfile profile, SmimeKeyAlgorithm key = SmimeKeyAlgorithm.EcP256, SmimeSubject? subject = null) => new()
    {
        Profile = profile,
        Mailboxes = ["alice@example.test"],
        Subject = subject ?? SubjectFor(profile.Type),
        PublicKey = Key(key),
    };

    public static SmimeProfile StrictMailbox { get; } = new(SmimeValidationType.Mailbox, SmimeGeneration.Strict);

    /// <summary>Signs a (possibly broken) draft with the EC issuing CA, without linting.</summary>
    public static byte[] Sign(CertificateDraft draft, SmimeIssuingCa? ca = null) =>
        SmimeCertificateBuilder.SignUnchecked(draft, (ca ?? Ca).Key);

    public static SmimeLintOptions LintOptions(SmimeIssuingCa? ca = null, bool legacy = false) =>
        new() { IssuerCertificate = (ca ?? Ca).Certificate, AllowLegacyGeneration = legacy };

    /// <summary>Loads a DER certificate into .NET (X509CertificateLoader on .NET 9+, the constructor on .NET 8).</summary>
    public static System.Security.Cryptography.X509Certificates.X509Certificate2 Load(ReadOnlySpan<byte> der)
    {
#if NET9_0_OR_GREATER
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(der);
#else
        return new System.Security.Cryptography.X509Certificates.X509Certificate2(der.ToArray());
#endif
    }

    /// <summary>Builds a chain in .NET with the hierarchy's root as the only trust anchor; returns the failures (empty when valid).</summary>
    public static string ChainProblems(SmimeTestHierarchy hierarchy, ReadOnlySpan<byte> certificate, DateTimeOffset at, string? applicationPolicy = null)
    {
        using var leaf = Load(certificate);
        using var root = Load(hierarchy.RootCertificate.Span);
        using var issuing = Load(hierarchy.IssuingCa.Certificate.Span);
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.Add(issuing);
        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        if (applicationPolicy is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(applicationPolicy));
        }

        return chain.Build(leaf) ? string.Empty : string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation));
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));
}
