namespace Pki.Smime.Linting;

/// <summary>
/// One rule of the linter: its code, severity, S/MIME BR section and summary (the public
/// <see cref="SmimeLintRule"/>), and a check that reports findings for one certificate. Rules live in
/// <c>Linting/Rules/Section&lt;x_y_z&gt;</c> after the BR section that states them and are registered in
/// <see cref="LintRuleTable"/>.
/// </summary>
internal abstract class LintRule
{
    protected LintRule(string code, SmimeLintSeverity severity, string section, string summary) =>
        Descriptor = new SmimeLintRule(code, severity, section, summary);

    /// <summary>The public description of the rule.</summary>
    public SmimeLintRule Descriptor { get; }

    public string Code => Descriptor.Code;

    /// <summary>The BR section that states the rule, e.g. <c>7.1.2.3 e</c>.</summary>
    public string Section => Descriptor.Section;

    /// <summary>Adds a finding to <paramref name="context"/> for every way the certificate breaks the rule.</summary>
    public abstract void Check(LintContext context);

    /// <summary>Adds one finding; <paramref name="section"/> names a sub-clause when it is more precise than <see cref="Section"/>.</summary>
    protected void Report(LintContext context, string message, string? section = null) =>
        context.Findings.Add(new SmimeLintFinding(Code, Descriptor.Severity, section ?? Section, message));

    /// <summary>Reports "missing" when the extension is absent (for the <c>*_MISSING</c> rules).</summary>
    protected void ReportMissing(LintContext context, string oid)
    {
        if (context.Extension(oid) is null)
        {
            Report(context, $"The {LintContext.NameOf(oid)} extension is missing.");
        }
    }

    /// <summary>Reports when the extension is present and its criticality is not <paramref name="expected"/>.</summary>
    protected void ReportCriticality(LintContext context, string oid, bool expected, string? section = null)
    {
        if (context.Extension(oid) is { } extension && extension.Critical != expected)
        {
            Report(context, $"The {LintContext.NameOf(oid)} extension is {(expected ? "not marked critical" : "marked critical")}.", section);
        }
    }
}
