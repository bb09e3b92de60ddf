using System.Formats.Asn1;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Pki.Acme;
using Pki.TestSupport;
using static Pki.Acme.Server.Tests.Validation.ValidationKnotFixture;

namespace Pki.Acme.Server.Tests.Validation;

[Collection(ValidationKnotCollection.Name)]
public sealed class TlsAlpn01ValidatorTests(ValidationKnotFixture knot)
{
    [Theory]
    [InlineData("dns", "web.acme.test")]
    [InlineData("ip", "127.0.0.1")]
    public async Task The_real_responder_is_valid(string type, string value)
    {
        var identifier = new AcmeIdentifier { Type = type, Value = value };
        var store = new InMemoryTlsAlpn01ChallengeStore();
        store.Add(identifier, KeyAuthorization);
        await using var responder = TlsAlpn01Responder.Start(store, new IPEndPoint(IPAddress.Loopback, 0));
        var validator = knot.Validator("tls-alpn-01", o => o.TlsAlpn01Port = responder.LocalEndPoint.Port);

        var check = await validator.ValidateAsync(identifier, Token, KeyAuthorization, CancellationToken.None);

        Assert.True(check.IsValid, check.Error?.Detail);
    }

    [Fact]
    public async Task The_real_responder_with_another_key_authorization_is_an_incorrect_response()
    {
        var store = new InMemoryTlsAlpn01ChallengeStore();
        store.Add(Dns("web.acme.test"), Token + ".someone-else");
        await using var responder = TlsAlpn01Responder.Start(store, new IPEndPoint(IPAddress.Loopback, 0));
        var validator = knot.Validator("tls-alpn-01", o => o.TlsAlpn01Port = responder.LocalEndPoint.Port);

        var check = await validator.ValidateAsync(Dns("web.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.Equal(AcmeProblemTypes.IncorrectResponse, check.Error!.Type);
        Assert.Contains("expected SHA-256 of the key authorization", check.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_without_the_acmeIdentifier_extension_is_refused()
    {
        using var certificate = Certificate(["web.acme.test"], extension: null, critical: true);
        var check = await ValidateAgainstAsync(certificate, offerAcmeTls: true);

        Assert.Equal(AcmeProblemTypes.IncorrectResponse, check.Error!.Type);
        Assert.Equal("The tls-alpn-01 certificate for web.acme.test has no acmeIdentifier extension (1.3.6.1.5.5.7.1.31).", check.Error.Detail);
    }

    [Fact]
    public async Task A_non_critical_acmeIdentifier_extension_is_refused()
    {
        using var certificate = Certificate(["web.acme.test"], Digest(KeyAuthorization), critical: false);
        var check = await ValidateAgainstAsync(certificate, offerAcmeTls: true);

        Assert.Equal(AcmeProblemTypes.IncorrectResponse, check.Error!.Type);
        Assert.Equal("The acmeIdentifier extension of the tls-alpn-01 certificate for web.acme.test is not critical (RFC 8737 section 3).", check.Error.Detail);
    }

    [Fact]
    public async Task A_certificate_with_a_second_name_is_refused()
    {
        using var certificate = Certificate(["web.acme.test", "other.acme.test"], Digest(KeyAuthorization), critical: true);
        var check = await ValidateAgainstAsync(certificate, offerAcmeTls: true);

        Assert.Equal(AcmeProblemTypes.IncorrectResponse, check.Error!.Type);
        Assert.Equal("The tls-alpn-01 certificate must have exactly one subjectAltName, web.acme.test; it has DNS:web.acme.test, DNS:other.acme.test.", check.Error.Detail);
    }

    [Fact]
    public async Task A_correct_certificate_from_a_hand_made_server_is_valid()
    {
        using var certificate = Certificate(["web.acme.test"], Digest(KeyAuthorization), critical: true);
        var check = await ValidateAgainstAsync(certificate, offerAcmeTls: true);

        Assert.True(check.IsValid, check.Error?.Detail);
    }

    [Fact]
    public async Task A_server_without_acme_tls_1_is_a_tls_problem()
    {
        using var certificate = Certificate(["web.acme.test"], Digest(KeyAuthorization), critical: true);
        var check = await ValidateAgainstAsync(certificate, offerAcmeTls: false);

        Assert.False(check.IsValid);
        Assert.Equal(AcmeProblemTypes.Tls, check.Error!.Type);
        Assert.Contains("acme-tls/1", check.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_refused_is_a_retryable_connection_problem()
    {
        var validator = knot.Validator("tls-alpn-01", o => o.TlsAlpn01Port = FreePorts.Tcp());

        var check = await validator.ValidateAsync(Ip("127.0.0.1"), Token, KeyAuthorization, CancellationToken.None);

        Assert.Equal(AcmeProblemTypes.Connection, check.Error!.Type);
        Assert.True(check.IsRetryable);
        Assert.EndsWith("(after 3 attempts)", check.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ipv6_identifier_is_validated_with_its_reverse_name_as_SNI()
    {
        var store = new InMemoryTlsAlpn01ChallengeStore();
        store.Add(Ip("::1"), KeyAuthorization);
        await using var responder = TlsAlpn01Responder.Start(store, new IPEndPoint(IPAddress.IPv6Loopback, 0));
        var validator = knot.Validator("tls-alpn-01", o => o.TlsAlpn01Port = responder.LocalEndPoint.Port);

        var check = await validator.ValidateAsync(Ip("::1"), Token, KeyAuthorization, CancellationToken.None);

        Assert.True(check.IsValid, check.Error?.Detail);
    }

    [Fact]
    public async Task A_stalled_handshake_hits_the_timeout()
    {
        await using var server = new LoopbackTcpServer((_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken));
        var validator = knot.Validator("tls-alpn-01", o =>
        {
            o.TlsAlpn01Port = server.Port;
            o.Timeout = TimeSpan.FromSeconds(1);
            o.Attempts = 1;
        });

        var check = await validator.ValidateAsync(Dns("web.acme.test"), Token, KeyAuthorization, CancellationToken.None);

        Assert.Equal(AcmeProblemTypes.Connection, check.Error!.Type);
        Assert.True(check.IsRetryable);
        Assert.Equal("No answer for web.acme.test within 1 s (timeout).", check.Error.Detail);
    }

    [Fact]
    public void The_ip_certificate_check_compares_address_bytes()
    {
        using var certificate = TlsAlpn01Certificate.Create(Ip("::1"), KeyAuthorization);

        TlsAlpn01Validator.CheckCertificate(certificate, Ip("::1"), KeyAuthorization);
        var failure = Assert.Throws<AcmeValidationFailure>(() => TlsAlpn01Validator.CheckCertificate(certificate, Ip("::2"), KeyAuthorization));
        Assert.Equal("The tls-alpn-01 certificate must have exactly one subjectAltName, ::2; it has IP:::1.", failure.Message);
    }

    [Fact]
    public void Wildcards_are_not_supported()
    {
        Assert.False(knot.Validator("tls-alpn-01").Supports(Dns("*.web.acme.test")));
    }

    /// <summary>Validates web.acme.test (one attempt) against a hand-made TLS server presenting <paramref name="certificate"/>.</summary>
    private async Task<AcmeChallengeCheck> ValidateAgainstAsync(X509Certificate2 certificate, bool offerAcmeTls)
    {
        await using var server = TlsServer(certificate, offerAcmeTls);
        var validator = knot.Validator("tls-alpn-01", o =>
        {
            o.TlsAlpn01Port = server.Port;
            o.Attempts = 1;
        });
        return await validator.ValidateAsync(Dns("web.acme.test"), Token, KeyAuthorization, CancellationToken.None);
    }

    private static byte[] Digest(string keyAuthorization) => SHA256.HashData(Encoding.UTF8.GetBytes(keyAuthorization));

    private static X509Certificate2 Certificate(string[] names, byte[]? extension, bool critical)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        if (extension is not null)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            writer.WriteOctetString(extension);
            request.CertificateExtensions.Add(new X509Extension(TlsAlpn01Certificate.AcmeIdentifierOid, writer.Encode(), critical));
        }

        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }

    /// <summary>A TLS server on loopback presenting <paramref name="certificate"/>, offering acme-tls/1 or only http/1.1.</summary>
    private static LoopbackTcpServer TlsServer(X509Certificate2 certificate, bool offerAcmeTls) =>
        new(async (stream, cancellationToken) =>
        {
            var tls = new SslStream(stream, leaveInnerStreamOpen: true);
            await using (tls.ConfigureAwait(false))
            {
                try
                {
                    await tls.AuthenticateAsServerAsync(
                        new SslServerAuthenticationOptions
                        {
                            ServerCertificate = certificate,
                            ApplicationProtocols = [offerAcmeTls ? new SslApplicationProtocol(TlsAlpn01Certificate.AlpnProtocol) : SslApplicationProtocol.Http11],
                        },
                    cancellationToken).ConfigureAwait(false);
                    await tls.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false);
                }
                catch (System.Security.Authentication.AuthenticationException)
                {
                    // The validator refused the handshake (no common ALPN protocol).
                }
            }
        });
}
