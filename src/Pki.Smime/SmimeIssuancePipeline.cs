using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pki.Smime.Internal;

namespace Pki.Smime;

/// <summary>Options for <see cref="SmimeIssuancePipeline"/>.</summary>
public sealed record SmimeIssuanceOptions
{
    /// <summary>
    /// Skip the CAA <c>issuemail</c> check. Section 4.2.2.1 lets a Technically Constrained Subordinate CA
    /// (section 7.1.5) omit it; set this only for such a CA.
    /// </summary>
    public bool SkipIssueMailCheck { get; init; }
}

/// <summary>
/// Issuance in stages: assemble the certificate content from the validated request (section 7.1; bad
/// input is refused here, before any DNS traffic), check CAA <c>issuemail</c> for every mailbox domain
/// (section 4.2.2.1), then lint the to-be-signed content and sign it (section 4.3.1.2).
/// </summary>
public sealed partial class SmimeIssuancePipeline
{
    private readonly SmimeCertificateBuilder _builder;
    private readonly IIssueMailAuthorizer? _authorizer;
    private readonly SmimeIssuanceOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a pipeline that runs the CAA check before every build.</summary>
    /// <param name="builder">Builds, lints and signs once CAA permits; its clock and options apply.</param>
    /// <param name="authorizer">The <c>issuemail</c> check; required unless <see cref="SmimeIssuanceOptions.SkipIssueMailCheck"/> is set.</param>
    /// <param name="options">Whether the CAA check may be skipped (technically constrained sub-CAs only); defaults to checking.</param>
    /// <param name="logger">Receives one entry per CAA decision and per issued certificate; none by default.</param>
    /// <exception cref="ArgumentException">No authorizer and the check is not explicitly skipped.</exception>
    public SmimeIssuancePipeline(SmimeCertificateBuilder builder, IIssueMailAuthorizer? authorizer, SmimeIssuanceOptions? options = null, ILogger<SmimeIssuancePipeline>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        _options = options ?? new SmimeIssuanceOptions();
        if (authorizer is null && !_options.SkipIssueMailCheck)
        {
            throw new ArgumentException(
                "An IIssueMailAuthorizer is required for the CAA issuemail check (section 4.2.2.1); set SmimeIssuanceOptions.SkipIssueMailCheck only for a technically constrained sub-CA (section 7.1.5).",
                nameof(authorizer));
        }

        _builder = builder;
        _authorizer = authorizer;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Checks CAA, then builds, lints and signs the certificate.</summary>
    /// <param name="request">Profile, mailboxes, subject data and public key; every mailbox domain is checked against CAA.</param>
    /// <param name="issuer">The issuing CA (its <see cref="SmimeIssuingCa.IssuerDomainNames"/> are checked against CAA).</param>
    /// <param name="cancellationToken">Cancels the CAA lookups; nothing is signed after cancellation.</param>
    /// <exception cref="SmimeIssuanceDeniedException">A mailbox domain's CAA denies issuance or is indeterminate.</exception>
    /// <exception cref="SmimeComplianceException">The request breaks a section 7.1 rule.</exception>
    /// <exception cref="ArgumentException">The CA has no issuer domain names while the CAA check is on.</exception>
    public async Task<SmimeCertificate> IssueAsync(SmimeCertificateRequest request, SmimeIssuingCa issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(issuer);
        var draft = _builder.CreateDraft(request, issuer);
        await CheckIssueMailAsync(request, issuer, cancellationToken).ConfigureAwait(false);
        var certificate = _builder.Sign(draft, request.Profile, issuer);
        LogIssued(_logger, certificate.SerialNumber, request.Profile.PolicyOid, certificate.Lint.Findings.Count);
        return certificate;
    }

    // 4.2.2.1: "the CA SHALL ... check for CAA records ... for each Mailbox Address" (RFC 9495 issuemail).
    private async Task CheckIssueMailAsync(SmimeCertificateRequest request, SmimeIssuingCa issuer, CancellationToken cancellationToken)
    {
        if (_options.SkipIssueMailCheck)
        {
            LogCaaSkipped(_logger);
            return;
        }

        if (issuer.IssuerDomainNames.Count == 0)
        {
            throw new ArgumentException("The issuing CA has no IssuerDomainNames to check CAA issuemail records against.", nameof(issuer));
        }

        var checks = request.Mailboxes
            .Select(mailbox => new IssueMailCheck(mailbox, MailboxAddress.DomainForCaa(mailbox), issuer.IssuerDomainNames))
            .GroupBy(check => check.Domain, StringComparer.Ordinal)
            .Select(group => group.First());
        foreach (var check in checks)
        {
            var domain = check.Domain;
            var decision = await _authorizer!.AuthorizeAsync(check, cancellationToken).ConfigureAwait(false);
            if (decision is null || decision.Outcome != IssueMailOutcome.Permitted)
            {
                decision ??= new IssueMailDecision(IssueMailOutcome.Indeterminate, "the authorizer returned no decision");
                LogCaaRefused(_logger, domain, decision.Outcome, decision.Reason);
                throw new SmimeIssuanceDeniedException(domain, decision);
            }

            LogCaaPermitted(_logger, domain, decision.Reason);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "CAA issuemail permits {Domain}: {Reason}")]
    private static partial void LogCaaPermitted(ILogger logger, string domain, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "CAA issuemail for {Domain} is {Outcome}: {Reason}; not issuing")]
    private static partial void LogCaaRefused(ILogger logger, string domain, IssueMailOutcome outcome, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "CAA issuemail check skipped (technically constrained sub-CA)")]
    private static partial void LogCaaSkipped(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Issued S/MIME certificate {Serial} under {Policy} with {Warnings} lint warnings")]
    private static partial void LogIssued(ILogger logger, string serial, string policy, int warnings);
}
