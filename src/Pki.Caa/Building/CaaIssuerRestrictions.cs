namespace Pki.Caa;

/// <summary>
/// The RFC 8657 restrictions of one allowed issuer, set inside the callback of
/// <see cref="CaaPolicyBuilder.AllowIssuer"/> (and its wildcard and email twins). Each restriction may
/// be set once; without any, the record allows every account and every validation method.
/// </summary>
public sealed class CaaIssuerRestrictions
{
    internal CaaIssuerRestrictions()
    {
    }

    internal string? AccountUri { get; private set; }

    internal IReadOnlyList<string>? ValidationMethods { get; private set; }

    /// <summary>Only the ACME account with this exact URI may obtain certificates (RFC 8657 <c>accounturi</c>).</summary>
    /// <exception cref="CaaPolicyException">Not an absolute URI, has characters a CAA parameter cannot hold, or given twice.</exception>
    public CaaIssuerRestrictions ForAccount(string accountUri)
    {
        ArgumentNullException.ThrowIfNull(accountUri);
        if (AccountUri is not null)
        {
            throw new CaaPolicyException($"The account is already restricted to '{AccountUri}'; a second accounturi '{accountUri}' would make the record unsatisfiable (RFC 8657 section 3). Add the issuer again for another account.");
        }

        if (!Uri.TryCreate(accountUri, UriKind.Absolute, out _))
        {
            throw new CaaPolicyException($"The account URI '{accountUri}' is not an absolute URI such as https://ca.example/acme/acct/123.");
        }

        foreach (var c in accountUri)
        {
            if (!CaaIssuerValue.IsParameterValueChar(c))
            {
                throw new CaaPolicyException($"The account URI '{accountUri}' contains '{c}', which a CAA parameter value cannot hold (no ';', spaces or non-ASCII; RFC 8659 section 4.2).");
            }
        }

        AccountUri = accountUri;
        return this;
    }

    /// <summary>Only these validation methods may be used (RFC 8657 <c>validationmethods</c>), e.g. <c>dns-01</c>.</summary>
    /// <exception cref="CaaPolicyException">No method, a label that is not letters/digits/'-', a duplicate, or given twice.</exception>
    public CaaIssuerRestrictions WithValidationMethods(params string[] methods)
    {
        ArgumentNullException.ThrowIfNull(methods);
        if (ValidationMethods is not null)
        {
            throw new CaaPolicyException($"Validation methods are already restricted to '{string.Join(",", ValidationMethods)}'; give all methods in one call.");
        }

        if (methods.Length == 0)
        {
            throw new CaaPolicyException("Give at least one validation method (e.g. dns-01); to forbid issuance use ForbidIssuance().");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var method in methods)
        {
            if (method is null || !AcmeParameters.IsMethodLabel(method, 0, method.Length))
            {
                throw new CaaPolicyException($"'{method}' is not a validation method label (letters, digits and '-', e.g. dns-01 or http-01; RFC 8657 section 4).");
            }

            if (!seen.Add(method))
            {
                throw new CaaPolicyException($"The validation method '{method}' is given twice.");
            }
        }

        ValidationMethods = methods.ToArray();
        return this;
    }
}
