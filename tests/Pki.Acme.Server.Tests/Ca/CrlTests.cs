using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Pki.Acme.Server;
using Pki.Shared;

namespace Pki.Acme.Server.Tests.Ca;

/// <summary>The intermediate's and the root's CRLs: content, numbering, caching, and openssl's verdict.</summary>
public sealed class CrlTests : IDisposable
{
    private readonly CaFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    [Fact]
    public async Task Empty_crl_is_a_v2_crl_of_the_intermediate_valid_7_days()
    {
        var crl = Asn.ReadCrl(await fixture.Ca.GetCrlAsync(CancellationToken.None));
        Assert.Equal(1, crl.Version); // v2
        Assert.Equal("1.2.840.10045.4.3.2", crl.SignatureAlgorithm);
        Assert.Equal(fixture.Ca.IntermediateCertificate.SubjectName.RawData, crl.Issuer);
        Assert.Equal(TimeSpan.FromDays(7), crl.NextUpdate - crl.ThisUpdate);
        Assert.Empty(crl.Entries);
        Assert.True(crl.Number > 0);
        var ski = fixture.Ca.IntermediateCertificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single();
        Assert.Equal(ski.SubjectKeyIdentifierBytes.ToArray(), crl.AuthorityKeyId);
    }

    [Fact]
    public async Task Revocations_appear_with_their_reason_codes_and_a_higher_crl_number()
    {
        var before = Asn.ReadCrl(await fixture.Ca.GetCrlAsync(CancellationToken.None));
        var (_, first) = await fixture.IssueAsync(names: ["one.example.com"]);
        var (_, second) = await fixture.IssueAsync(names: ["two.example.com"]);
        var at = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        fixture.Revocations.Revoked.Add(new(first.SerialNumber, at, 1));
        await fixture.Ca.RevokeAsync(first.SerialNumber, 1, at, CancellationToken.None);
        fixture.Revocations.Revoked.Add(new(second.SerialNumber, at.AddHours(1), 0));
        await fixture.Ca.RevokeAsync(second.SerialNumber, 0, at.AddHours(1), CancellationToken.None);

        var after = Asn.ReadCrl(await fixture.Ca.GetCrlAsync(CancellationToken.None));
        Assert.True(after.Number > before.Number);
        Assert.Equal(2, after.Entries.Count);
        Assert.Contains((first.SerialNumber, at, (int?)1), after.Entries);
        Assert.Contains((second.SerialNumber, at.AddHours(1), (int?)null), after.Entries); // unspecified: no reasonCode (TLS BR 7.2.2)
    }

    [Fact]
    public async Task Crl_is_cached_then_rebuilt_after_an_hour_with_a_higher_number()
    {
        var first = await fixture.Ca.GetCrlAsync(CancellationToken.None);
        Assert.Same(first, await fixture.Ca.GetCrlAsync(CancellationToken.None));
        fixture.Revocations.Revoked.Add(new("40AA", fixture.Time.GetUtcNow(), 4)); // recorded by another instance
        fixture.Time.Advance(TimeSpan.FromMinutes(61));
        var rebuilt = Asn.ReadCrl(await fixture.Ca.GetCrlAsync(CancellationToken.None));
        Assert.True(rebuilt.Number > Asn.ReadCrl(first).Number);
        Assert.Equal("40AA", Assert.Single(rebuilt.Entries).Serial);
    }

    [Fact]
    public async Task Root_crl_is_signed_by_the_root_and_empty()
    {
        var der = await fixture.Ca.GetRootCrlAsync(CancellationToken.None);
        var crl = Asn.ReadCrl(der!);
        Assert.Equal(fixture.Ca.RootCertificate.SubjectName.RawData, crl.Issuer);
        Assert.Empty(crl.Entries);
    }

    [Fact]
    public async Task Crl_calls_honour_a_cancelled_token()
    {
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Ca.GetCrlAsync(new CancellationToken(true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Ca.RevokeAsync("40AA", 1, DateTimeOffset.UtcNow, new CancellationToken(true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Ca.GetRootCrlAsync(new CancellationToken(true)));
    }

    [Fact]
    public async Task Openssl_verifies_the_chain_with_the_crl_and_sees_the_revocation()
    {
        var (leaf, issued) = await fixture.IssueAsync(names: ["openssl.example.com"]);
        var dir = fixture.Directory.Path;
        File.WriteAllText(Path.Combine(dir, "root.pem"), fixture.Ca.RootPem);
        File.WriteAllText(Path.Combine(dir, "intermediate.pem"), fixture.Ca.IntermediateCertificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "leaf.pem"), leaf.ExportCertificatePem());

        File.WriteAllText(Path.Combine(dir, "crl.pem"), PemCodec.Encode("X509 CRL", await fixture.Ca.GetCrlAsync(CancellationToken.None)));
        var (code, output) = await OpensslVerifyAsync(dir);
        Assert.True(code == 0, output);
        Assert.Contains("leaf.pem: OK", output, StringComparison.Ordinal);

        fixture.Revocations.Revoked.Add(new(issued.SerialNumber, fixture.Time.GetUtcNow(), 1));
        await fixture.Ca.RevokeAsync(issued.SerialNumber, 1, fixture.Time.GetUtcNow(), CancellationToken.None);
        File.WriteAllText(Path.Combine(dir, "crl.pem"), PemCodec.Encode("X509 CRL", await fixture.Ca.GetCrlAsync(CancellationToken.None)));
        (code, output) = await OpensslVerifyAsync(dir);
        Assert.NotEqual(0, code);
        Assert.Contains("certificate revoked", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> OpensslVerifyAsync(string dir)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "verify", "-crl_check", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", "intermediate.pem", "-CRLfile", "crl.pem", "leaf.pem" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
