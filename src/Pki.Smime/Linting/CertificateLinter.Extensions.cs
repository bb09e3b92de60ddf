using Org.BouncyCastle.Asn1;
using Pki.Smime.Internal;

namespace Pki.Smime.Linting;

internal sealed partial class CertificateLinter
{
    private bool StrictOrMultipurpose => _profile is not null && _profile.Generation != SmimeGeneration.Legacy;

    /// <summary>The extension, or null after reporting <paramref name="missingRule"/>.</summary>
    private RawExtension? Required(string oid, string missingRule)
    {
        var extension = Extension(oid);
        if (extension is null)
        {
            Add(missingRule, $"The {NameOf(oid)} extension is missing.");
        }

        return extension;
    }

    /// <summary>Reports <paramref name="rule"/> when the extension's criticality is not <paramref name="expected"/>.</summary>
    private void ExpectCritical(RawExtension extension, bool expected, string rule, string? section = null)
    {
        if (extension.Critical != expected)
        {
            Add(rule, $"The {NameOf(extension.Oid)} extension is {(expected ? "not marked critical" : "marked critical")}.", section);
        }
    }

    private static bool IsHttp(string uri) => uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The URIs among GeneralNames (tag [6] uniformResourceIdentifier).</summary>
    private static IEnumerable<string> UrisOf(Asn1Sequence generalNames)
    {
        foreach (var element in generalNames)
        {
            var name = Asn1TaggedObject.GetInstance(element);
            if (name.TagNo == 6)
            {
                yield return DerIA5String.GetInstance(name, false).GetString();
            }
        }
    }

    // 7.1.2.3 (b): at least one fullName URI; Strict and Multipurpose: every URI is http, Legacy: at least one is.
    private void CheckCrlDistributionPoints()
    {
        if (Required(Oids.CrlDistributionPoints, SmimeLintRules.CrlDistributionPointsMissing) is not { } extension)
        {
            return;
        }

        ExpectCritical(extension, false, SmimeLintRules.CrlDistributionPointsCritical);

        var uris = Decode(extension, value =>
        {
            var list = new List<string>();
            foreach (var element in Asn1Sequence.GetInstance(value))
            {
                foreach (var field in Asn1Sequence.GetInstance(element))
                {
                    var tagged = Asn1TaggedObject.GetInstance(field);
                    if (tagged.TagNo != 0)
                    {
                        continue;
                    }

                    var pointName = Asn1TaggedObject.GetInstance(tagged.GetExplicitBaseObject());
                    if (pointName.TagNo == 0)
                    {
                        list.AddRange(UrisOf(Asn1Sequence.GetInstance(pointName, false)));
                    }
                }
            }

            return list;
        });
        if (uris is null)
        {
            return;
        }

        if (!uris.Any(IsHttp))
        {
            Add(SmimeLintRules.CrlDistributionPointsNoHttpUri,
                uris.Count == 0 ? "cRLDistributionPoints has no fullName URI." : $"cRLDistributionPoints has no HTTP URI ({string.Join(", ", uris)}).");
        }
        else if (StrictOrMultipurpose && uris.FirstOrDefault(u => !IsHttp(u)) is { } other)
        {
            Add(SmimeLintRules.CrlDistributionPointsNonHttpUri, $"cRLDistributionPoints has the non-HTTP URI '{other}'.");
        }
    }

    // 7.1.2.3 (c): not critical; caIssuers SHOULD be present; URI schemes per generation.
    private void CheckAuthorityInformationAccess()
    {
        if (Required(Oids.AuthorityInfoAccess, SmimeLintRules.AiaMissing) is not { } extension)
        {
            return;
        }

        ExpectCritical(extension, false, SmimeLintRules.ExtensionCritical, "7.1.2.3 c");

        var access = Decode(extension, value =>
        {
            var list = new List<(string Method, string? Uri)>();
            foreach (var element in Asn1Sequence.GetInstance(value))
            {
                var description = Asn1Sequence.GetInstance(element);
                var method = DerObjectIdentifier.GetInstance(description[0]).Id;
                var location = Asn1TaggedObject.GetInstance(description[1]);
                list.Add((method, location.TagNo == 6 ? DerIA5String.GetInstance(location, false).GetString() : null));
            }

            return list;
        });
        if (access is null)
        {
            return;
        }

        if (!access.Any(a => a.Method == Oids.AccessCaIssuers))
        {
            Add(SmimeLintRules.AiaCaIssuersMissing, "authorityInformationAccess has no id-ad-caIssuers entry.");
        }

        foreach (var method in new[] { Oids.AccessOcsp, Oids.AccessCaIssuers })
        {
            var entries = access.Where(a => a.Method == method).ToList();
            var label = method == Oids.AccessOcsp ? "id-ad-ocsp" : "id-ad-caIssuers";
            if (entries.Count == 0)
            {
                continue;
            }

            if (StrictOrMultipurpose && entries.FirstOrDefault(e => e.Uri is null || !IsHttp(e.Uri)) is { Method: not null } bad)
            {
                Add(SmimeLintRules.AiaNonHttpUri, $"authorityInformationAccess {label} has the non-HTTP location '{bad.Uri ?? "(not a URI)"}'.");
            }
            else if (!entries.Any(e => e.Uri is not null && IsHttp(e.Uri)))
            {
                Add(SmimeLintRules.AiaNonHttpUri, $"authorityInformationAccess {label} has no HTTP URI.");
            }
        }
    }

    // 7.1.2.3 (d): cA not true, no pathLenConstraint.
    private void CheckBasicConstraints()
    {
        var extension = Extension(Oids.BasicConstraints);
        if (extension is null)
        {
            return;
        }

        var fields = Decode(extension, Asn1Sequence.GetInstance);
        if (fields is null)
        {
            return;
        }

        if (fields.OfType<DerBoolean>().Any(b => b.IsTrue))
        {
            Add(SmimeLintRules.BasicConstraintsCa, "basicConstraints has cA set to true.");
        }

        if (fields.OfType<DerInteger>().Any())
        {
            Add(SmimeLintRules.BasicConstraintsPathLength, "basicConstraints has a pathLenConstraint.");
        }
    }

    // 7.1.2.3 (e): the keyUsage table by key type and generation.
    private void CheckKeyUsage()
    {
        if (Required(Oids.KeyUsage, SmimeLintRules.KeyUsageMissing) is not { } extension)
        {
            return;
        }

        ExpectCritical(extension, true, SmimeLintRules.KeyUsageNotCritical);

        var bitString = Decode(extension, DerBitString.GetInstance);
        if (bitString is null || _keyAlgorithm is null)
        {
            return;
        }

        var bits = bitString.IntValue;
        var problem = KeyUsageProblem(bits, _keyAlgorithm.Value, _profile?.Generation ?? SmimeGeneration.Strict);
        if (problem is not null)
        {
            Add(SmimeLintRules.KeyUsageInvalidBits, $"keyUsage ({KeyUsageNames(bits)}) for a {_keyAlgorithm} key: {problem}.");
        }
    }

    /// <summary>Null when <paramref name="bits"/> is a row of the 7.1.2.3 (e) table, else why not.</summary>
    internal static string? KeyUsageProblem(int bits, SmimeKeyAlgorithm key, SmimeGeneration generation)
    {
        bool Has(int bit) => (bits & bit) != 0;
        int allowed;
        switch (key)
        {
            case SmimeKeyAlgorithm.Rsa:
                allowed = KuDigitalSignature | KuNonRepudiation | KuKeyEncipherment | (generation == SmimeGeneration.Strict ? 0 : KuDataEncipherment);
                if (!Has(KuDigitalSignature) && !Has(KuKeyEncipherment))
                {
                    return "digitalSignature or keyEncipherment must be set";
                }

                if (Has(KuDataEncipherment) && !Has(KuKeyEncipherment) && (bits & ~allowed) == 0)
                {
                    return "dataEncipherment is allowed only with keyEncipherment";
                }

                break;
            case SmimeKeyAlgorithm.EcP256 or SmimeKeyAlgorithm.EcP384 or SmimeKeyAlgorithm.EcP521:
                allowed = KuDigitalSignature | KuNonRepudiation | KuKeyAgreement | KuEncipherOnly | KuDecipherOnly;
                if (!Has(KuDigitalSignature) && !Has(KuKeyAgreement))
                {
                    return "digitalSignature or keyAgreement must be set";
                }

                if ((Has(KuEncipherOnly) || Has(KuDecipherOnly)) && !Has(KuKeyAgreement))
                {
                    return "encipherOnly and decipherOnly are allowed only with keyAgreement";
                }

                if (Has(KuEncipherOnly) && Has(KuDecipherOnly))
                {
                    return "encipherOnly and decipherOnly are not both allowed";
                }

                break;
            default:
                allowed = KuDigitalSignature | KuNonRepudiation;
                if (!Has(KuDigitalSignature))
                {
                    return "digitalSignature must be set";
                }

                break;
        }

        if (Has(KuNonRepudiation) && !Has(KuDigitalSignature))
        {
            return "nonRepudiation is allowed only with digitalSignature";
        }

        var extra = bits & ~allowed;
        return extra != 0 ? $"the bits {KeyUsageNames(extra)} are not allowed in {generation}" : null;
    }

    internal static string KeyUsageNames(int bits)
    {
        var names = new List<string>();
        void Add(int bit, string name)
        {
            if ((bits & bit) != 0)
            {
                names.Add(name);
            }
        }

        Add(KuDigitalSignature, "digitalSignature");
        Add(KuNonRepudiation, "nonRepudiation");
        Add(KuKeyEncipherment, "keyEncipherment");
        Add(KuDataEncipherment, "dataEncipherment");
        Add(KuKeyAgreement, "keyAgreement");
        Add(1 << 2, "keyCertSign");
        Add(1 << 1, "cRLSign");
        Add(KuEncipherOnly, "encipherOnly");
        Add(KuDecipherOnly, "decipherOnly");
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    // 7.1.2.3 (f): emailProtection; Strict nothing else; never serverAuth, codeSigning, timeStamping, anyEKU.
    private void CheckExtendedKeyUsage()
    {
        if (Required(Oids.ExtendedKeyUsage, SmimeLintRules.ExtendedKeyUsageMissing) is not { } extension)
        {
            return;
        }

        var purposes = Decode(extension, value => Asn1Sequence.GetInstance(value).Cast<Asn1Encodable>().Select(p => DerObjectIdentifier.GetInstance(p).Id).ToList());
        if (purposes is null)
        {
            return;
        }

        if (!purposes.Contains(Oids.EmailProtection))
        {
            Add(SmimeLintRules.ExtendedKeyUsageNoEmailProtection, $"extKeyUsage ({string.Join(", ", purposes)}) lacks id-kp-emailProtection.");
        }

        var forbidden = purposes.Where(p => p is Oids.ServerAuth or Oids.CodeSigning or Oids.TimeStamping or Oids.AnyExtendedKeyUsage).ToList();
        if (forbidden.Count > 0)
        {
            Add(SmimeLintRules.ExtendedKeyUsageForbiddenPurpose, $"extKeyUsage contains the forbidden purposes {string.Join(", ", forbidden)}.");
        }

        var others = purposes.Where(p => p != Oids.EmailProtection && !forbidden.Contains(p)).ToList();
        if (_profile?.Generation == SmimeGeneration.Strict && others.Count > 0)
        {
            Add(SmimeLintRules.ExtendedKeyUsageStrictOtherPurpose, $"extKeyUsage contains {string.Join(", ", others)}; Strict allows only id-kp-emailProtection.");
        }
    }

    // 7.1.2.3 (g): keyIdentifier only, not critical; 7.1.2.2 (i): equal to the issuer's SKI.
    private void CheckAuthorityKeyIdentifier()
    {
        if (Required(Oids.AuthorityKeyIdentifier, SmimeLintRules.AuthorityKeyIdentifierMissing) is not { } extension)
        {
            return;
        }

        ExpectCritical(extension, false, SmimeLintRules.ExtensionCritical, "7.1.2.3 g");

        var fields = Decode(extension, value => Asn1Sequence.GetInstance(value).Cast<Asn1Encodable>().Select(e => Asn1TaggedObject.GetInstance(e)).ToList());
        if (fields is null)
        {
            return;
        }

        var keyIdentifier = fields.FirstOrDefault(f => f.TagNo == 0);
        if (keyIdentifier is null)
        {
            Add(SmimeLintRules.AuthorityKeyIdentifierNoKeyId, "authorityKeyIdentifier has no keyIdentifier.");
        }
        else if (_issuer?.SubjectKeyIdentifier is { } ski)
        {
            var value = Asn1OctetString.GetInstance(keyIdentifier, false).GetOctets();
            if (!value.AsSpan().SequenceEqual(ski))
            {
                Add(SmimeLintRules.AuthorityKeyIdentifierIssuerMismatch,
                    $"authorityKeyIdentifier {HexText.Of(value)} is not the issuing CA's subjectKeyIdentifier {HexText.Of(ski)}.");
            }
        }

        if (fields.Any(f => f.TagNo is 1 or 2))
        {
            Add(SmimeLintRules.AuthorityKeyIdentifierIssuerSerial, "authorityKeyIdentifier contains authorityCertIssuer or authorityCertSerialNumber.");
        }
    }

    // 7.1.2.3 (n): SHOULD be present, SHALL NOT be critical.
    private void CheckSubjectKeyIdentifier()
    {
        if (Required(Oids.SubjectKeyIdentifier, SmimeLintRules.SubjectKeyIdentifierMissing) is not { } extension)
        {
            return;
        }

        ExpectCritical(extension, false, SmimeLintRules.ExtensionCritical, "7.1.2.3 n");

        _ = Decode(extension, Asn1OctetString.GetInstance);
    }

    // 7.1.2.3 (i) to (m): optional extensions, never critical; some prohibited by type or generation.
    private void CheckOptionalExtensions()
    {
        (string Oid, string Section)[] nonCritical =
        [
            (Oids.SmimeCapabilities, "7.1.2.3 i"), (Oids.SubjectDirectoryAttributes, "7.1.2.3 j"), (Oids.QcStatements, "7.1.2.3 k"),
            (Oids.LegalEntityIdentifier, "7.1.2.3 l"), (Oids.LegalEntityRole, "7.1.2.3 l"),
            (Oids.AdobeTimestamp, "7.1.2.3 m"), (Oids.AdobeArchiveRevInfo, "7.1.2.3 m"),
        ];
        foreach (var (oid, section) in nonCritical)
        {
            if (Extension(oid) is { } extension)
            {
                ExpectCritical(extension, false, SmimeLintRules.ExtensionCritical, section);
            }
        }

        if (_profile is null)
        {
            return;
        }

        void Prohibit(string oid, bool prohibited, string section, string why)
        {
            if (prohibited && Extension(oid) is not null)
            {
                Add(SmimeLintRules.ExtensionProhibited, $"The {NameOf(oid)} extension is not allowed {why}.", section);
            }
        }

        var type = _profile.Type;
        Prohibit(Oids.SubjectDirectoryAttributes, StrictOrMultipurpose, "7.1.2.3 j", $"in {_profile.Generation}");
        Prohibit(Oids.LegalEntityIdentifier, type is SmimeValidationType.Mailbox or SmimeValidationType.Individual, "7.1.2.3 l", $"in {type}-validated certificates");
        Prohibit(Oids.LegalEntityRole, type != SmimeValidationType.Sponsor, "7.1.2.3 l", $"in {type}-validated certificates");
        Prohibit(Oids.AdobeTimestamp, _profile.Generation == SmimeGeneration.Strict, "7.1.2.3 m", "in Strict");
        Prohibit(Oids.AdobeArchiveRevInfo, _profile.Generation == SmimeGeneration.Strict, "7.1.2.3 m", "in Strict");
    }

    // 7.1.2.3 (h) and 7.1.4.2.1: at least one mailbox; allowed GeneralName types; mailbox syntax.
    private void CheckSubjectAltName()
    {
        if (Required(Oids.SubjectAltName, SmimeLintRules.SanMissing) is not { } extension)
        {
            return;
        }

        var subjectEmpty = _cert.SubjectAttributes.Count == 0;
        if (extension.Critical && !subjectEmpty)
        {
            Add(SmimeLintRules.SanCritical, "subjectAltName is marked critical although the subject is not empty.");
        }
        else if (!extension.Critical && subjectEmpty)
        {
            Add(SmimeLintRules.SanNotCriticalEmptySubject, "The subject is empty and subjectAltName is not marked critical.");
        }

        var names = Decode(extension, value => Asn1Sequence.GetInstance(value).Cast<Asn1Encodable>().Select(e => Asn1TaggedObject.GetInstance(e)).ToList());
        if (names is null)
        {
            return;
        }

        foreach (var name in names)
        {
            try
            {
                CheckGeneralName(name);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidCastException or IndexOutOfRangeException or InvalidOperationException)
            {
                Add(SmimeLintRules.ExtensionMalformed, $"A subjectAltName entry [{name.TagNo}] cannot be decoded: {ex.Message}");
            }
        }

        if (_sanMailboxes.Count == 0)
        {
            Add(SmimeLintRules.SanNoMailbox, "subjectAltName has no rfc822Name or SmtpUTF8Mailbox entry.");
        }
    }

    private void CheckGeneralName(Asn1TaggedObject name)
    {
        switch (name.TagNo)
        {
            case 1:
                var rfc822 = DerIA5String.GetInstance(name, false).GetString();
                _sanMailboxes.Add(rfc822);
                if (!MailboxAddress.IsValidRfc822Name(rfc822, out var problem))
                {
                    Add(SmimeLintRules.SanRfc822Invalid, $"The rfc822Name '{rfc822}' {problem}.");
                }

                break;
            case 0:
                var otherName = Asn1Sequence.GetInstance(name, false);
                var typeId = DerObjectIdentifier.GetInstance(otherName[0]).Id;
                if (typeId == Oids.SmtpUtf8Mailbox)
                {
                    var value = Asn1TaggedObject.GetInstance(otherName[1]).GetExplicitBaseObject();
                    if (value is not DerUtf8String utf8)
                    {
                        Add(SmimeLintRules.SanSmtpUtf8Invalid, $"The SmtpUTF8Mailbox value is a {value.GetType().Name}, not a UTF8String.");
                        break;
                    }

                    var mailbox = utf8.GetString();
                    _sanMailboxes.Add(mailbox);
                    if (!MailboxAddress.IsValidSmtpUtf8Mailbox(mailbox, out var utf8Problem))
                    {
                        Add(SmimeLintRules.SanSmtpUtf8Invalid, $"The SmtpUTF8Mailbox '{mailbox}' {utf8Problem}.");
                    }
                }
                else if (_profile?.Generation == SmimeGeneration.Strict)
                {
                    Add(SmimeLintRules.SanOtherNameStrict, $"subjectAltName has an otherName of type {typeId}; Strict allows only SmtpUTF8Mailbox.");
                }

                break;
            case 4:
                break;
            default:
                var kind = name.TagNo switch
                {
                    2 => "dNSName",
                    3 => "x400Address",
                    5 => "ediPartyName",
                    6 => "uniformResourceIdentifier",
                    7 => "iPAddress",
                    8 => "registeredID",
                    _ => $"[{name.TagNo}]",
                };
                Add(SmimeLintRules.SanNameType, $"subjectAltName has a {kind} entry; only rfc822Name, otherName and directoryName are allowed.");
                break;
        }
    }
}
