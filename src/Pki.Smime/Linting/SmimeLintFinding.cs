namespace Pki.Smime;

/// <summary>How serious a lint finding is.</summary>
public enum SmimeLintSeverity
{
    /// <summary>A SHOULD or SHOULD NOT of the requirements is not met; issuance may proceed.</summary>
    Warning = 1,

    /// <summary>A SHALL or SHALL NOT is broken; the certificate must not be issued.</summary>
    Error = 2,
}

/// <summary>A rule the linter checks, as listed in <see cref="SmimeLintRules.All"/>.</summary>
/// <param name="Code">Stable identifier, e.g. <c>KU_INVALID_BITS</c>; see <see cref="SmimeLintRules"/>.</param>
/// <param name="Severity">Error for SHALL rules, warning for SHOULD rules.</param>
/// <param name="Section">The S/MIME BR section that states the rule, e.g. <c>7.1.2.3 e</c>.</param>
/// <param name="Summary">What the rule requires, in one sentence.</param>
public sealed record SmimeLintRule(string Code, SmimeLintSeverity Severity, string Section, string Summary);

/// <summary>One rule a certificate breaks.</summary>
/// <param name="Code">The rule's stable code (see <see cref="SmimeLintRules"/>).</param>
/// <param name="Severity">Error (a SHALL is broken: do not issue) or warning (a SHOULD is not met).</param>
/// <param name="Section">The S/MIME BR section broken; may be a sub-clause more precise than the rule's (e.g. <c>7.1.4.2.2 k</c>).</param>
/// <param name="Message">What is wrong, naming the offending value.</param>
public sealed record SmimeLintFinding(string Code, SmimeLintSeverity Severity, string Section, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Severity.ToString().ToUpperInvariant()} {Code} (S/MIME BR {Section}): {Message}";
}

/// <summary>The result of linting one certificate.</summary>
public sealed record SmimeLintReport
{
    /// <summary>The profile the certificate was checked against (given, or taken from its policy OID); null when neither.</summary>
    public SmimeProfile? Profile { get; init; }

    /// <summary>Every finding, in rule order.</summary>
    public IReadOnlyList<SmimeLintFinding> Findings { get; init; } = [];

    /// <summary>True when no finding is an error; warnings alone do not stop issuance (section 4.3.1.2).</summary>
    public bool IsCompliant => Findings.All(f => f.Severity != SmimeLintSeverity.Error);

    /// <summary>The error findings only: what must be fixed before the certificate may be issued.</summary>
    public IEnumerable<SmimeLintFinding> Errors => Findings.Where(f => f.Severity == SmimeLintSeverity.Error);
}

/// <summary>Options for <see cref="SmimeLinter"/>.</summary>
public sealed record SmimeLintOptions
{
    /// <summary>
    /// The issuing CA certificate (DER). When given, the linter also checks that the issuer name is
    /// byte-identical to its subject (7.1.4.1), that the AKI matches its SKI (7.1.2.2 i) and that the
    /// signature algorithm fits its key (7.1.3.2).
    /// </summary>
    public ReadOnlyMemory<byte> IssuerCertificate { get; init; }

    /// <summary>
    /// Accept Legacy-generation certificates dated on or after 2025-07-15 (historic or test material);
    /// by default they get <see cref="SmimeLintRules.LegacyAfterSunset"/>.
    /// </summary>
    public bool AllowLegacyGeneration { get; init; }
}
