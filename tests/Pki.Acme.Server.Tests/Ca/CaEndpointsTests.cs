using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Pki.Acme.Server;

namespace Pki.Acme.Server.Tests.Ca;

/// <summary>The CA's files over real HTTP on loopback (Kestrel), under the server's base path.</summary>
public sealed class CaEndpointsTests : IDisposable
{
    private readonly CaFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    [Fact]
    public async Task Root_intermediate_and_crls_are_served_with_their_media_types()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGroup("/acme").MapEmbeddedCa(fixture.Ca);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(timeout.Token);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address + "/acme/"), Timeout = TimeSpan.FromSeconds(30) };

        async Task<byte[]> Get(string path, string mediaType)
        {
            using var response = await client.GetAsync(path, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(mediaType, response.Content.Headers.ContentType!.ToString());
            return await response.Content.ReadAsByteArrayAsync(timeout.Token);
        }

        Assert.Equal(fixture.Ca.RootPem, System.Text.Encoding.ASCII.GetString(await Get("ca/root.pem", "application/pem-certificate-chain")));
        Assert.Equal(fixture.Ca.RootDer, await Get("ca/root.cer", "application/pkix-cert"));
        Assert.Equal(fixture.Ca.IntermediateDer, await Get("ca/intermediate.cer", "application/pkix-cert"));
        Assert.Equal(await fixture.Ca.GetCrlAsync(timeout.Token), await Get("ca/intermediate.crl", "application/pkix-crl"));
        Assert.Equal(fixture.Ca.RootCertificate.SubjectName.RawData, Asn.ReadCrl(await Get("ca/root.crl", "application/pkix-crl")).Issuer);
        await app.StopAsync(timeout.Token);
    }
}
