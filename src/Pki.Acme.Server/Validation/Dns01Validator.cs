using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;

namespace Pki.Acme.Server;

/// <summary>
/// dns-01 (RFC 8555 section 8.4): the TXT RRset at <c>_acme-challenge.{name}</c> (the name without a leading <c>*.</c>)
/// through the validation authority's resolver must hold a record equal to base64url(SHA-256(key authorization)).
/// The only challenge that validates wildcards; not for ip identifiers.
/// </summary>
internal sealed class Dns01Validator : AcmeChallengeValidatorBase
{

    public Dns01Validator(AcmeServerValidationOptions options, AcmeValidationDns dns, TimeProvider time, ILogger logger)
        : base(options, dns, time, logger)
    {
    }

    public override string Type => "dns-01";

    public override bool Supports(AcmeIdentifier identifier) => identifier is not null && identifier.Type == AcmeIdentifier.DnsType;

    protected override async Task AttemptAsync(AcmeIdentifier identifier, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        var value = identifier.Value.StartsWith("*.", StringComparison.Ordinal) ? identifier.Value.Substring(2) : identifier.Value;
        var name = "_acme-challenge." + AcmeValidationDns.ToAsciiName(value);
        var expected = AcmeKeyAuthorization.ComputeDns01TxtValue(keyAuthorization);
        var found = new List<string>();
        foreach (var record in await Dns.QueryAsync(name, QueryType.TXT, cancellationToken).ConfigureAwait(false))
        {
            if (record is TxtRecord txt)
            {
                // One record may be split into several character-strings; they form one value.
                found.Add(string.Concat(txt.Text));
            }
        }

        if (found.Count == 0)
        {
            throw AcmeValidationFailure.Unauthorized($"No TXT record found at {name}.");
        }

        if (!found.Contains(expected, StringComparer.Ordinal))
        {
            throw AcmeValidationFailure.IncorrectResponse($"No TXT record at {name} matches: expected \"{expected}\", found {string.Join(", ", found.Select(f => "\"" + f + "\""))}.");
        }
    }
}
