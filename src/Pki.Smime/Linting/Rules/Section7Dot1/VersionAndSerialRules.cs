namespace Pki.Smime.Linting.Rules.Section7Dot1;

/// <summary><c>VERSION_NOT_V3</c> (7.1.1): Certificates SHALL be of type X.509 v3.</summary>
internal sealed class VersionNotV3Rule() : LintRule(SmimeLintRules.VersionNotV3, SmimeLintSeverity.Error, "7.1.1",
    "Certificates SHALL be of type X.509 v3.")
{
    public override void Check(LintContext context)
    {
        if (context.Certificate.Version != 2)
        {
            Report(context, $"The certificate is version {context.Certificate.Version + 1}, not 3.");
        }
    }
}

/// <summary><c>SERIAL_NOT_POSITIVE</c> (7.1): The serial number SHALL be greater than zero.</summary>
internal sealed class SerialNotPositiveRule() : LintRule(SmimeLintRules.SerialNotPositive, SmimeLintSeverity.Error, "7.1",
    "The serial number SHALL be greater than zero.")
{
    // 7.1: "greater than zero (0) and less than 2^159 containing at least 64 bits of output from a CSPRNG".
    public override void Check(LintContext context)
    {
        if (context.Certificate.Serial.Sign <= 0)
        {
            Report(context, $"The serial number {context.Certificate.Serial} is not greater than zero.");
        }
    }
}

/// <summary><c>SERIAL_TOO_LARGE</c> (7.1): The serial number SHALL be less than 2^159.</summary>
internal sealed class SerialTooLargeRule() : LintRule(SmimeLintRules.SerialTooLarge, SmimeLintSeverity.Error, "7.1",
    "The serial number SHALL be less than 2^159.")
{
    public override void Check(LintContext context)
    {
        var bits = LintContext.BitLength(context.Certificate.Serial);
        if (bits > 159)
        {
            Report(context, $"The serial number is {bits} bits long, not less than 2^159.");
        }
    }
}

/// <summary><c>SERIAL_TOO_SHORT</c> (7.1): The serial number SHALL contain at least 64 bits of CSPRNG output, so it is at least 64 bits long.</summary>
internal sealed class SerialTooShortRule() : LintRule(SmimeLintRules.SerialTooShort, SmimeLintSeverity.Error, "7.1",
    "The serial number SHALL contain at least 64 bits of CSPRNG output, so it is at least 64 bits long.")
{
    public override void Check(LintContext context)
    {
        var bits = LintContext.BitLength(context.Certificate.Serial);
        if (context.Certificate.Serial.Sign > 0 && bits < 64)
        {
            Report(context, $"The serial number is only {bits} bits long; 64 random bits need at least 64.");
        }
    }
}
