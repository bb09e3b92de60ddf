using Pki.Smime.Internal;

namespace Pki.Smime.Linting.Rules.Section7Dot1Dot4;

/// <summary><c>SAN_NO_MAILBOX</c> (7.1.4.2.1): subjectAltName SHALL contain at least one rfc822Name or SmtpUTF8Mailbox otherName.</summary>
internal sealed class SanNoMailboxRule() : LintRule(SmimeLintRules.SanNoMailbox, SmimeLintSeverity.Error, "7.1.4.2.1",
    "subjectAltName SHALL contain at least one rfc822Name or SmtpUTF8Mailbox otherName.")
{
    public override void Check(LintContext context)
    {
        if (context.SanEntries is not null && context.SanMailboxes.Count == 0)
        {
            Report(context, "subjectAltName has no rfc822Name or SmtpUTF8Mailbox entry.");
        }
    }
}

/// <summary><c>SAN_NAME_TYPE</c> (7.1.4.2.1): Only rfc822Name, otherName and directoryName entries are allowed.</summary>
internal sealed class SanNameTypeRule() : LintRule(SmimeLintRules.SanNameType, SmimeLintSeverity.Error, "7.1.4.2.1",
    "Only rfc822Name, otherName and directoryName entries are allowed.")
{
    public override void Check(LintContext context)
    {
        foreach (var entry in context.SanEntries ?? [])
        {
            if (entry.Tag is not (0 or 1 or 4))
            {
                var kind = entry.Tag switch
                {
                    2 => "dNSName",
                    3 => "x400Address",
                    5 => "ediPartyName",
                    6 => "uniformResourceIdentifier",
                    7 => "iPAddress",
                    8 => "registeredID",
                    _ => $"[{entry.Tag}]",
                };
                Report(context, $"subjectAltName has a {kind} entry; only rfc822Name, otherName and directoryName are allowed.");
            }
        }
    }
}

/// <summary><c>SAN_OTHERNAME_STRICT</c> (7.1.4.2.1): In Strict, the only otherName type allowed is id-on-SmtpUTF8Mailbox.</summary>
internal sealed class SanOtherNameStrictRule() : LintRule(SmimeLintRules.SanOtherNameStrict, SmimeLintSeverity.Error, "7.1.4.2.1",
    "In Strict, the only otherName type allowed is id-on-SmtpUTF8Mailbox.")
{
    public override void Check(LintContext context)
    {
        if (context.Profile?.Generation != SmimeGeneration.Strict)
        {
            return;
        }

        foreach (var entry in context.SanEntries ?? [])
        {
            if (entry.OtherNameType is { } typeId && typeId != Oids.SmtpUtf8Mailbox)
            {
                Report(context, $"subjectAltName has an otherName of type {typeId}; Strict allows only SmtpUTF8Mailbox.");
            }
        }
    }
}

/// <summary><c>SAN_RFC822_INVALID</c> (7.1.4.2.1): An rfc822Name SHALL be an ASCII Mailbox (RFC 5321 section 4.1.2) with its domain in A-labels.</summary>
internal sealed class SanRfc822InvalidRule() : LintRule(SmimeLintRules.SanRfc822Invalid, SmimeLintSeverity.Error, "7.1.4.2.1",
    "An rfc822Name SHALL be an ASCII Mailbox (RFC 5321 section 4.1.2) with its domain in A-labels.")
{
    public override void Check(LintContext context)
    {
        foreach (var entry in context.SanEntries ?? [])
        {
            if (entry.Rfc822 is { } rfc822 && !MailboxAddress.IsValidRfc822Name(rfc822, out var problem))
            {
                Report(context, $"The rfc822Name '{rfc822}' {problem}.");
            }
        }
    }
}

/// <summary><c>SAN_SMTPUTF8_INVALID</c> (7.1.4.2.1): An SmtpUTF8Mailbox SHALL be a UTF8String Mailbox with a non-ASCII local part and U-label domain (RFC 9598 section 3).</summary>
internal sealed class SanSmtpUtf8InvalidRule() : LintRule(SmimeLintRules.SanSmtpUtf8Invalid, SmimeLintSeverity.Error, "7.1.4.2.1",
    "An SmtpUTF8Mailbox SHALL be a UTF8String Mailbox with a non-ASCII local part and U-label domain (RFC 9598 section 3).")
{
    public override void Check(LintContext context)
    {
        foreach (var entry in context.SanEntries ?? [])
        {
            if (entry.SmtpUtf8WrongType is { } type)
            {
                Report(context, $"The SmtpUTF8Mailbox value is a {type}, not a UTF8String.");
            }
            else if (entry.SmtpUtf8Mailbox is { } mailbox && !MailboxAddress.IsValidSmtpUtf8Mailbox(mailbox, out var problem))
            {
                Report(context, $"The SmtpUTF8Mailbox '{mailbox}' {problem}.");
            }
        }
    }
}

/// <summary><c>SUBJECT_MAILBOX_NOT_IN_SAN</c> (7.1.4.2.1): Every mailbox address in the subject (commonName, emailAddress) SHALL be repeated in subjectAltName.</summary>
internal sealed class SubjectMailboxNotInSanRule() : LintRule(SmimeLintRules.SubjectMailboxNotInSan, SmimeLintSeverity.Error, "7.1.4.2.1",
    "Every mailbox address in the subject (commonName, emailAddress) SHALL be repeated in subjectAltName.")
{
    // 7.1.4.2.1: "All Mailbox Addresses in the subject field ... SHALL be repeated" in subjectAltName.
    public override void Check(LintContext context)
    {
        HashSet<string>? sanKeys = null;
        foreach (var attribute in context.Certificate.SubjectAttributes)
        {
            var isEmail = attribute.Oid == Oids.EmailAddress;
            var text = attribute.Text;
            if ((!isEmail && attribute.Oid != Oids.CommonName) || text is null || (!isEmail && !text.Contains('@')))
            {
                continue;
            }

            sanKeys ??= new HashSet<string>(context.SanMailboxes.Select(MailboxAddress.Canonical).OfType<string>(), StringComparer.Ordinal);
            var key = MailboxAddress.Canonical(text);
            if (key is null || !sanKeys.Contains(key))
            {
                Report(context, $"The subject {(isEmail ? "emailAddress" : "commonName")} '{text}' is not a mailbox of subjectAltName.");
            }
        }
    }
}
