namespace Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot3;

/// <summary><c>BC_CA</c> (7.1.2.3 d): basicConstraints cA SHALL NOT be true.</summary>
internal sealed class BasicConstraintsCaRule() : LintRule(SmimeLintRules.BasicConstraintsCa, SmimeLintSeverity.Error, "7.1.2.3 d",
    "basicConstraints cA SHALL NOT be true.")
{
    public override void Check(LintContext context)
    {
        if (context.BasicConstraints is { Ca: true })
        {
            Report(context, "basicConstraints has cA set to true.");
        }
    }
}

/// <summary><c>BC_PATH_LEN</c> (7.1.2.3 d): basicConstraints pathLenConstraint SHALL NOT be present.</summary>
internal sealed class BasicConstraintsPathLengthRule() : LintRule(SmimeLintRules.BasicConstraintsPathLength, SmimeLintSeverity.Error, "7.1.2.3 d",
    "basicConstraints pathLenConstraint SHALL NOT be present.")
{
    public override void Check(LintContext context)
    {
        if (context.BasicConstraints is { HasPathLength: true })
        {
            Report(context, "basicConstraints has a pathLenConstraint.");
        }
    }
}
