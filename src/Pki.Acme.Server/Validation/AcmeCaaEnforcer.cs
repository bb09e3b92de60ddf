using System.Net;
using Microsoft.Extensions.Logging;
using Pki.Caa;

namespace Pki.Acme.Server;

/// <summary>
/// The CA's CAA check before issuance (RFC 8659, RFC 8657) on top of Pki.Caa's evaluator: the CA's issuer-domain-names
/// from <see cref="AcmeServerValidationOptions.CaaIdentities"/>, <c>issue</c>/<c>issuewild</c>, <c>accounturi</c> (this
/// server's account URL) and <c>validationmethods</c> (the method that validated the authorization). Fail-closed: a DNS
/// failure refuses like a forbidding record. The problem has one subproblem per refused identifier naming the deciding
/// record, e.g. <c>CAA 0 issue "other-ca.example"</c>, or the DNS failure.
/// </summary>
internal sealed class AcmeCaaEnforcer : IAcmeCaaPolicy
{
    private readonly ICaaEvaluator _evaluator;
    private readonly IReadOnlyList<string> _identities;
    private readonly ILogger _logger;

    public AcmeCaaEnforcer(ICaaEvaluator evaluator, IEnumerable<string> caaIdentities, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(caaIdentities);
        ArgumentNullException.ThrowIfNull(logger);
        _evaluator = evaluator;
        _identities = [.. caaIdentities];
        if (_identities.Count == 0)
        {
            throw new ArgumentException("At least one CAA issuer-domain-name is required.", nameof(caaIdentities));
        }

        _logger = logger;
    }

    public async Task<AcmeProblem?> CheckAsync(IReadOnlyList<AcmeCaaCheckItem> items, Uri accountUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(accountUrl);
        var refused = new List<AcmeProblem>();
        foreach (var item in items)
        {
            var detail = await CheckOneAsync(item, accountUrl, cancellationToken).ConfigureAwait(false);
            if (detail is not null)
            {
                refused.Add(new AcmeProblem { Type = AcmeProblemTypes.Caa, Status = 403, Detail = detail, Identifier = item.Identifier });
            }
        }

        if (refused.Count == 0)
        {
            return null;
        }

        return new AcmeProblem
        {
            Type = AcmeProblemTypes.Caa,
            Status = 403,
            Detail = refused.Count == 1
                ? refused[0].Detail
                : $"CAA forbids issuance for {refused.Count} identifiers: {string.Join("; ", refused.Select(p => p.Detail))}",
            Subproblems = refused,
        };
    }

    /// <summary>Null when CAA permits this identifier, else the sentence for its subproblem.</summary>
    private async Task<string?> CheckOneAsync(AcmeCaaCheckItem item, Uri accountUrl, CancellationToken cancellationToken)
    {
        var identifier = item.Identifier;
        CaaIdentifier caaIdentifier;
        try
        {
            caaIdentifier = identifier.Type == AcmeIdentifier.IpType
                ? CaaIdentifier.Ip(IPAddress.Parse(identifier.Value))
                : CaaIdentifier.Dns(identifier.Value);
        }
        catch (Exception ex) when (ex is CaaFormatException or FormatException)
        {
            return $"CAA cannot be checked for '{identifier.Value}', so issuance is refused: {ex.Message}";
        }

        var decision = await _evaluator.EvaluateAsync(new CaaCheck(caaIdentifier, _identities, accountUrl, item.ValidationMethod), cancellationToken).ConfigureAwait(false);
        ValidationLog.CaaDecided(_logger, identifier.Value, item.ValidationMethod, decision.Verdict, decision.Reason, decision.Explanation);
        if (decision.IsPermitted)
        {
            return null;
        }

        if (decision.Verdict == CaaVerdict.Indeterminate)
        {
            var failure = decision.RelevantRRset.Failure ?? decision.Explanation;
            return $"CAA lookup for {identifier.Value} failed, so issuance is refused (fail-closed): {failure}";
        }

        var records = decision.DecidingRecords.Count > 0 ? decision.DecidingRecords : decision.RelevantRRset.Records;
        var deciding = string.Join(", ", records.Select(r => "CAA " + r.ToPresentation()));
        var owner = decision.RelevantRRset.OwnerName ?? caaIdentifier.LookupName;
        return $"CAA at {owner} forbids issuance for {identifier.Value} by this CA ({string.Join(", ", _identities)}) ({decision.Reason}): deciding record {deciding}. {decision.Explanation}";
    }
}
