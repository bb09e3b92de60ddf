namespace Pki.Smime.Linting;

/// <summary>
/// Every rule the linter runs, in report order: the one place a rule is registered. The linter builds a
/// <see cref="LintContext"/> for the certificate and runs each rule on it in this order, so findings come
/// out in rule order. The folders under <c>Rules/</c> are the BR sections (<c>Section7Dot1Dot2Dot3</c> holds the rules whose most specific section is 7.1.2.3).
/// </summary>
internal static class LintRuleTable
{
    public static readonly LintRule[] Rules =
    [
        new Rules.Section7Dot1.VersionNotV3Rule(),
        new Rules.Section7Dot1.SerialNotPositiveRule(),
        new Rules.Section7Dot1.SerialTooLargeRule(),
        new Rules.Section7Dot1.SerialTooShortRule(),
        new Rules.Section7Dot1Dot2Dot4.ValidityInvertedRule(),
        new Rules.Section6Dot3.ValidityTooLongRule(),
        new Rules.Section7Dot1Dot2Dot4.ValidityTimeEncodingRule(),
        new Rules.Section7Dot1Dot2Dot4.UniqueIdPresentRule(),
        new Rules.Section7Dot1Dot2Dot4.IssuerEmptyRule(),
        new Rules.Section7Dot1Dot4.IssuerNameMismatchRule(),
        new Rules.Section7Dot1Dot3.SignatureAlgorithmNotAllowedRule(),
        new Rules.Section7Dot1Dot3.SignatureAlgorithmMismatchRule(),
        new Rules.Section7Dot1Dot3.SignatureAlgorithmIssuerKeyRule(),
        new Rules.Section7Dot1Dot3.SpkiAlgorithmNotAllowedRule(),
        new Rules.Section6Dot1.RsaKeySizeRule(),
        new Rules.Section6Dot1.RsaExponentRule(),
        new Rules.Section6Dot1.PublicKeyInvalidRule(),
        new Rules.Section7Dot1Dot2Dot4.ExtensionDuplicateRule(),
        new Rules.Section7Dot1Dot2Dot4.ExtensionMalformedRule(),
        new Rules.Section7Dot1Dot2Dot4.ExtensionUnknownRule(),
        new Rules.Section7Dot1Dot2Dot3.ExtensionCriticalRule(),
        new Rules.Section7Dot1Dot2Dot3.ExtensionProhibitedRule(),
        new Rules.Section7Dot1Dot2Dot3.PolicyMissingRule(),
        new Rules.Section7Dot1Dot2Dot3.PolicyReservedCountRule(),
        new Rules.Section7Dot1Dot6.PolicyProfileMismatchRule(),
        new Rules.Section7Dot1Dot2Dot3.PolicyCriticalRule(),
        new Rules.Section7Dot1Dot2Dot3.PolicyQualifierInvalidRule(),
        new Rules.Section7Dot1Dot6.LegacyAfterSunsetRule(),
        new Rules.Section7Dot1Dot2Dot3.CrlDistributionPointsMissingRule(),
        new Rules.Section7Dot1Dot2Dot3.CrlDistributionPointsCriticalRule(),
        new Rules.Section7Dot1Dot2Dot3.CrlDistributionPointsNoHttpUriRule(),
        new Rules.Section7Dot1Dot2Dot3.CrlDistributionPointsNonHttpUriRule(),
        new Rules.Section7Dot1Dot2Dot3.AiaMissingRule(),
        new Rules.Section7Dot1Dot2Dot3.AiaCaIssuersMissingRule(),
        new Rules.Section7Dot1Dot2Dot3.AiaNonHttpUriRule(),
        new Rules.Section7Dot1Dot2Dot3.BasicConstraintsCaRule(),
        new Rules.Section7Dot1Dot2Dot3.BasicConstraintsPathLengthRule(),
        new Rules.Section7Dot1Dot2Dot3.KeyUsageMissingRule(),
        new Rules.Section7Dot1Dot2Dot3.KeyUsageNotCriticalRule(),
        new Rules.Section7Dot1Dot2Dot3.KeyUsageInvalidBitsRule(),
        new Rules.Section7Dot1Dot2Dot3.ExtendedKeyUsageMissingRule(),
        new Rules.Section7Dot1Dot2Dot3.ExtendedKeyUsageNoEmailProtectionRule(),
        new Rules.Section7Dot1Dot2Dot3.ExtendedKeyUsageForbiddenPurposeRule(),
        new Rules.Section7Dot1Dot2Dot3.ExtendedKeyUsageStrictOtherPurposeRule(),
        new Rules.Section7Dot1Dot2Dot3.AuthorityKeyIdentifierMissingRule(),
        new Rules.Section7Dot1Dot2Dot3.AuthorityKeyIdentifierNoKeyIdRule(),
        new Rules.Section7Dot1Dot2Dot3.AuthorityKeyIdentifierIssuerSerialRule(),
        new Rules.Section7Dot1Dot2Dot2.AuthorityKeyIdentifierIssuerMismatchRule(),
        new Rules.Section7Dot1Dot2Dot3.SubjectKeyIdentifierMissingRule(),
        new Rules.Section7Dot1Dot2Dot3.SanMissingRule(),
        new Rules.Section7Dot1Dot2Dot3.SanCriticalRule(),
        new Rules.Section7Dot1Dot2Dot4.SanNotCriticalEmptySubjectRule(),
        new Rules.Section7Dot1Dot4.SanNoMailboxRule(),
        new Rules.Section7Dot1Dot4.SanNameTypeRule(),
        new Rules.Section7Dot1Dot4.SanOtherNameStrictRule(),
        new Rules.Section7Dot1Dot4.SanRfc822InvalidRule(),
        new Rules.Section7Dot1Dot4.SanSmtpUtf8InvalidRule(),
        new Rules.Section7Dot1Dot4.SubjectMailboxNotInSanRule(),
        new Rules.Section7Dot1Dot4.SubjectAttributeProhibitedRule(),
        new Rules.Section7Dot1Dot4.SubjectAttributeRequiredRule(),
        new Rules.Section7Dot1Dot4.SubjectNameRequiredRule(),
        new Rules.Section7Dot1Dot4.SubjectCommonNameContentRule(),
        new Rules.Section7Dot1Dot4.SubjectPseudonymWithNameRule(),
        new Rules.Section7Dot1Dot4.SubjectOrganizationIdentifierSyntaxRule(),
        new Rules.Section7Dot1Dot4.SubjectOrganizationIdentifierCountryRule(),
        new Rules.Section7Dot1Dot4.SubjectAddressDependencyRule(),
        new Rules.Section7Dot1Dot4.SubjectCountryInvalidRule(),
        new Rules.Section7Dot1Dot4.SubjectMetadataOnlyRule(),
        new Rules.Section7Dot1Dot4.SubjectAttributeTooLongRule(),
        new Rules.Section7Dot1Dot4.SubjectAttributeEncodingRule(),
    ];

    /// <summary>Lints a parsed certificate; <paramref name="profile"/> null means "take it from the policy OID".</summary>
    public static SmimeLintReport Run(ParsedCertificate certificate, SmimeProfile? profile, IssuerInfo? issuer, bool allowLegacy)
    {
        var context = new LintContext(certificate, profile, issuer, allowLegacy);
        foreach (var rule in Rules)
        {
            rule.Check(context);
        }

        return new SmimeLintReport { Profile = context.Profile, Findings = context.Findings };
    }
}
