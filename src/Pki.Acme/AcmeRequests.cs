using System.Buffers.Text;
using System.Text;
using Pki.Acme.Internal;

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

    private bool PrintMembers(StringBuilder builder)
    {
        builder
            .Member("Contacts", RecordText.List(Contacts), first: true)
            .Member("TermsOfServiceAgreed", TermsOfServiceAgreed)
            .Member("ExternalAccountBinding", ExternalAccountBinding);
        return true;
    }
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

    /// <summary>The key id only: the MAC key never appears in logs or messages.</summary>
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

    private bool PrintMembers(StringBuilder builder)
    {
        builder
            .Member("Identifiers", RecordText.List(Identifiers), first: true)
            .Member("NotBefore", NotBefore)
            .Member("NotAfter", NotAfter)
            .Member("Profile", Profile)
            .Member("Replaces", Replaces);
        return true;
    }
}

/// <summary>CRL reason codes for revocation (RFC 5280 section 5.3.1; RFC 8555 section 7.6).</summary>
public enum AcmeRevocationReason
{
    /// <summary>unspecified (0): no reason given; RFC 5280 says to omit the code instead, which a null reason does.</summary>
    Unspecified = 0,

    /// <summary>keyCompromise (1): the private key is known or suspected to be exposed; CAs may then block the key.</summary>
    KeyCompromise = 1,

    /// <summary>affiliationChanged (3): the subject's name or other information changed.</summary>
    AffiliationChanged = 3,

    /// <summary>superseded (4): replaced by a new certificate (the usual reason after a renewal).</summary>
    Superseded = 4,

    /// <summary>cessationOfOperation (5): the names are no longer in use.</summary>
    CessationOfOperation = 5,

    /// <summary>certificateHold (6): temporary suspension; most Web PKI CAs refuse it.</summary>
    CertificateHold = 6,

    /// <summary>privilegeWithdrawn (9): the subject is no longer entitled to the certificate.</summary>
    PrivilegeWithdrawn = 9,
}
