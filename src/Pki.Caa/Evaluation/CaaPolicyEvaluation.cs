using System.Text;

namespace Pki.Caa;

/// <summary>The evaluation rules of RFC 8659 sections 3-4, RFC 8657 sections 3-4 and RFC 9495 section 3, over a Relevant RRset.</summary>
internal static class CaaPolicyEvaluation
{
    private enum ParameterOutcome
    {
        Satisfied,
        AccountUriMismatch,
        ValidationMethodMismatch,
        Unsatisfiable,
    }

    private static readonly Func<CaaDecision, string> ExplainEmpty = d =>
        $"No CAA records at {d.RelevantRRset.QueriedName} or any parent up to the root, so CAA does not restrict issuance (RFC 8659 section 3).";

    private static readonly Func<CaaDecision, string> ExplainAuthorized = d =>
        $"The CAA record '{d.DecidingRecords[0]}' at {d.RelevantRRset.OwnerName} authorizes {d.DecidingRecords[0].ParseIssuerValue().IssuerDomainName} to issue for {d.Check.Identifier.Value}.";

    public static CaaDecision Evaluate(CaaRelevantRRset rrset, CaaCheck check)
    {
        var identifier = check.Identifier;
        switch (rrset.Status)
        {
            case CaaLookupStatus.Indeterminate:
                // Fail closed: a lookup that could not complete never permits issuance.
                return new CaaDecision(CaaVerdict.Indeterminate, CaaReason.LookupFailed, $"The Relevant RRset of {rrset.QueriedName} could not be determined: {rrset.Failure?.TrimEnd('.')}. Do not issue until it can.", check, rrset, []);
            case CaaLookupStatus.Empty:
                // RFC 8659 section 3: "If such an RRset exists, a CA MUST NOT issue a certificate unless the CA
                // determines that either (1) the certificate request is consistent with the applicable CAA RRset
                // or (2) an exception specified in the relevant CP or CPS applies." No RRset, no restriction.
                return new CaaDecision(CaaVerdict.Permitted, CaaReason.NoRelevantRRset, check, rrset, [], ExplainEmpty);
        }

        var records = rrset.RecordArray;

        // RFC 8659 section 4.1: "A CA MUST NOT issue certificates for any FQDN if the Relevant RRset
        // for that FQDN contains a CAA critical Property for an unknown or unsupported Property Tag."
        for (var i = 0; i < records.Length; i++)
        {
            if (records[i].IsCritical && !CaaTags.IsKnown(records[i].Tag))
            {
                return new CaaDecision(CaaVerdict.Denied, CaaReason.CriticalUnknownProperty, $"The CAA record '{records[i]}' at {rrset.OwnerName} has the Issuer Critical flag and the unknown tag '{records[i].Tag}', which forbids issuance (RFC 8659 section 4.1).", check, rrset, [records[i]]);
            }
        }

        var tag = SelectTag(identifier.Kind, records);
        var candidateCount = 0;
        for (var i = 0; i < records.Length; i++)
        {
            if (records[i].HasTag(tag))
            {
                candidateCount++;
                var value = rrset.GetIssuerValue(i);
                if (value.IssuerDomainName is not null && check.IsOwnIssuer(value.IssuerDomainName)
                    && CheckParameters(value, check, explain: false, out _) == ParameterOutcome.Satisfied)
                {
                    return new CaaDecision(CaaVerdict.Permitted, CaaReason.Authorized, check, rrset, [records[i]], ExplainAuthorized);
                }
            }
        }

        if (candidateCount == 0)
        {
            return NoRestriction(rrset, check, tag);
        }

        return Deny(rrset, check, tag, records);
    }

    private static string SelectTag(CaaIdentifierKind kind, CaaRecord[] records)
    {
        switch (kind)
        {
            case CaaIdentifierKind.EmailAddress:
                // RFC 9495 section 3: email addresses are governed by issuemail only; issue and
                // issuewild never authorize them.
                return CaaTags.IssueMail;
            case CaaIdentifierKind.WildcardDnsName:
                // RFC 8659 section 4.3: "If at least one issuewild Property is specified in the Relevant
                // RRset for a Wildcard Domain Name, all issue Properties MUST be ignored when processing a
                // request for that Wildcard Domain Name."
                foreach (var r in records)
                {
                    if (r.HasTag(CaaTags.IssueWild))
                    {
                        return CaaTags.IssueWild;
                    }
                }

                return CaaTags.Issue;
            default:
                // RFC 8659 section 4.3: "issuewild Properties MUST be ignored when processing a request for
                // an FQDN that is not a Wildcard Domain Name."
                return CaaTags.Issue;
        }
    }

    private static CaaDecision NoRestriction(CaaRelevantRRset rrset, CaaCheck check, string tag)
    {
        // RFC 8659 section 3: "If the Relevant RRset for an FQDN or Wildcard Domain Name contains no
        // Property Tags that restrict issuance (for instance, if it contains only iodef Property Tags or
        // only Property Tags unrecognized by the CA), CAA does not restrict issuance."
        var note = check.Identifier.Kind == CaaIdentifierKind.EmailAddress
            ? " (issue and issuewild never apply to email addresses, RFC 9495)"
            : string.Empty;
        return new CaaDecision(CaaVerdict.Permitted, CaaReason.NoRestrictingProperty, $"The Relevant RRset at {rrset.OwnerName} has no {tag} property, so CAA does not restrict issuance for {check.Identifier.Value}{note}.", check, rrset, []);
    }

    private static CaaDecision Deny(CaaRelevantRRset rrset, CaaCheck check, string tag, CaaRecord[] records)
    {
        var deciding = new List<CaaRecord>();
        var worst = ParameterOutcome.Satisfied;
        string? firstMismatch = null;
        for (var i = 0; i < records.Length; i++)
        {
            if (!records[i].HasTag(tag))
            {
                continue;
            }

            var value = rrset.GetIssuerValue(i);
            if (value.IssuerDomainName is not null && check.IsOwnIssuer(value.IssuerDomainName))
            {
                var outcome = CheckParameters(value, check, explain: true, out var why);
                deciding.Add(records[i]);
                if (worst == ParameterOutcome.Satisfied)
                {
                    worst = outcome;
                    firstMismatch = $"'{records[i]}': {why}";
                }
            }
        }

        if (worst != ParameterOutcome.Satisfied)
        {
            var reason = worst switch
            {
                ParameterOutcome.AccountUriMismatch => CaaReason.AccountUriMismatch,
                ParameterOutcome.ValidationMethodMismatch => CaaReason.ValidationMethodMismatch,
                _ => CaaReason.UnsatisfiableParameters,
            };
            var more = deciding.Count > 1 ? $" ({deciding.Count} records name this CA; none is satisfied)" : string.Empty;
            return new CaaDecision(CaaVerdict.Denied, reason, $"The Relevant RRset at {rrset.OwnerName} names this CA but not for this request: {firstMismatch}{more}.", check, rrset, deciding);
        }

        var issuers = new StringBuilder();
        var malformed = 0;
        for (var i = 0; i < records.Length; i++)
        {
            if (!records[i].HasTag(tag))
            {
                continue;
            }

            deciding.Add(records[i]);
            var value = rrset.GetIssuerValue(i);
            if (value.IsMalformed)
            {
                malformed++;
            }
            else if (value.IssuerDomainName is not null)
            {
                issuers.Append(issuers.Length == 0 ? string.Empty : ", ").Append(value.IssuerDomainName);
            }
        }

        var malformedNote = malformed == 0 ? string.Empty : $" {malformed} malformed {tag} value(s) count as naming no issuer (RFC 8659 section 4.2).";
        if (issuers.Length == 0)
        {
            // RFC 8659 section 4.2: an issue Property Tag with no issuer-domain-name requests no issuance.
            return new CaaDecision(CaaVerdict.Denied, CaaReason.NoIssuerAllowed, $"The {tag} properties at {rrset.OwnerName} name no issuer, so no CA may issue for {check.Identifier.Value}.{malformedNote}", check, rrset, deciding);
        }

        return new CaaDecision(CaaVerdict.Denied, CaaReason.NotAuthorized, $"The {tag} properties at {rrset.OwnerName} authorize {issuers}, not {string.Join(", ", check.IssuerDomainNames)}.{malformedNote}", check, rrset, deciding);
    }

    private static ParameterOutcome CheckParameters(CaaIssuerValue value, CaaCheck check, bool explain, out string? why)
    {
        why = null;
        var acme = value.Acme;

        // RFC 8657 section 3: several accounturi parameters, or an invalid one, make the property unsatisfiable.
        if (acme.AccountUriCount > 1)
        {
            why = explain ? $"it has {acme.AccountUriCount} accounturi parameters, which makes it unsatisfiable (RFC 8657 section 3)" : null;
            return ParameterOutcome.Unsatisfiable;
        }

        if (!acme.AccountUriIsValid)
        {
            why = explain ? $"its accounturi '{acme.AccountUri}' is not a valid URI, which makes it unsatisfiable (RFC 8657 section 3)" : null;
            return ParameterOutcome.Unsatisfiable;
        }

        // RFC 8657 section 4: the same holds for validationmethods; its value is a comma-separated list of labels.
        if (acme.ValidationMethodsCount > 1)
        {
            why = explain ? $"it has {acme.ValidationMethodsCount} validationmethods parameters, which makes it unsatisfiable (RFC 8657 section 4)" : null;
            return ParameterOutcome.Unsatisfiable;
        }

        if (!acme.ValidationMethodsAreValid)
        {
            why = explain ? $"its validationmethods '{acme.ValidationMethods}' is not a comma-separated list of method labels, which makes it unsatisfiable (RFC 8657 section 4)" : null;
            return ParameterOutcome.Unsatisfiable;
        }

        // RFC 8657 section 3: the account URI must match exactly (no normalisation).
        var accountUri = acme.AccountUri;
        if (accountUri is not null && (check.AccountUri is null || !string.Equals(check.AccountUri.OriginalString, accountUri, StringComparison.Ordinal)))
        {
            why = !explain ? null
                : check.AccountUri is null
                ? $"it is restricted to the account {accountUri} and the request names no account"
                : $"it is restricted to the account {accountUri}, not {check.AccountUri.OriginalString}";
            return ParameterOutcome.AccountUriMismatch;
        }

        var methods = acme.ValidationMethods;
        if (methods is not null && (check.ValidationMethod is null || !acme.AllowsMethod(check.ValidationMethod)))
        {
            why = !explain ? null
                : check.ValidationMethod is null
                ? $"it is restricted to the validation methods {methods} and the request names no method"
                : $"it is restricted to the validation methods {methods}, not {check.ValidationMethod}";
            return ParameterOutcome.ValidationMethodMismatch;
        }

        return ParameterOutcome.Satisfied;
    }
}
