using System.Buffers.Text;

namespace Pki.Acme;

/// <summary>What a new account says about itself (RFC 8555 section 7.3).</summary>
public sealed record AcmeNewAccountRequest
{
    /// <summary>Contact URLs, e.g. <c>mailto:admin@example.com</c>.</summary>
    public IReadOnlyList<string> Contacts { get; init; } = [];

    /// <summary>Must be true where the directory has terms of service: it says the user agreed to them.</summary>
    public bool TermsOfServiceAgreed { get; init; }

    /// <summary>External Account Binding (section 7.3.4), when the CA requires one.</summary>
    public AcmeExternalAccountBinding? ExternalAccountBinding { get; init; }
}

/// <summary>
/// The key id and MAC key a CA issued for External Account Binding (RFC 8555 section 7.3.4, HS256).
/// <see cref="ToString"/> never shows the MAC key.
/// </summary>
public sealed class AcmeExternalAccountBinding
{
    private readonly byte[] _macKey;

    /// <summary>Creates the binding from the key id and the base64url MAC key the CA gave.</summary>
    /// <exception cref="AcmeConfigurationException">The key id is empty or the MAC key is not base64url (the message does not repeat it).</exception>
    public AcmeExternalAccountBinding(string keyId, string macKeyBase64Url)
    {
        if (string.IsNullOrWhiteSpace(keyId))
        {
            throw new AcmeConfigurationException("The External Account Binding key id is empty.");
        }

        if (string.IsNullOrWhiteSpace(macKeyBase64Url))
        {
            throw new AcmeConfigurationException($"The External Account Binding MAC key for key id '{keyId}' is empty.");
        }

        try
        {
            _macKey = Base64Url.DecodeFromChars(macKeyBase64Url.Trim().TrimEnd('=').AsSpan());
        }
        catch (FormatException ex)
        {
            throw new AcmeConfigurationException($"The External Account Binding MAC key for key id '{keyId}' is not base64url.", ex);
        }

        if (_macKey.Length == 0)
        {
            throw new AcmeConfigurationException($"The External Account Binding MAC key for key id '{keyId}' decodes to no bytes.");
        }

        KeyId = keyId;
    }

    /// <summary>The key id (the EAB JWS <c>kid</c>).</summary>
    public string KeyId { get; }

    internal ReadOnlySpan<byte> MacKey => _macKey;

    /// <summary>The key id only.</summary>
    public override string ToString() => $"EAB key id {KeyId}";
}

/// <summary>A new order (RFC 8555 section 7.4).</summary>
public sealed record AcmeOrderRequest
{
    /// <summary>The identifiers (at least one).</summary>
    public IReadOnlyList<AcmeIdentifier> Identifiers { get; init; } = [];

    /// <summary>Requested notBefore, if any.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Requested notAfter, if any.</summary>
    public DateTimeOffset? NotAfter { get; init; }

    /// <summary>A certificate profile the directory offers (<see cref="AcmeDirectoryMeta.Profiles"/>), if any.</summary>
    public string? Profile { get; init; }

    /// <summary>The RFC 9773 CertID of the certificate this order replaces, if any.</summary>
    public string? Replaces { get; init; }
}

/// <summary>CRL reason codes for revocation (RFC 5280 section 5.3.1; RFC 8555 section 7.6).</summary>
public enum AcmeRevocationReason
{
    /// <summary>unspecified (0)</summary>
    Unspecified = 0,

    /// <summary>keyCompromise (1)</summary>
    KeyCompromise = 1,

    /// <summary>affiliationChanged (3)</summary>
    AffiliationChanged = 3,

    /// <summary>superseded (4)</summary>
    Superseded = 4,

    /// <summary>cessationOfOperation (5)</summary>
    CessationOfOperation = 5,

    /// <summary>certificateHold (6)</summary>
    CertificateHold = 6,

    /// <summary>privilegeWithdrawn (9)</summary>
    PrivilegeWithdrawn = 9,
}
