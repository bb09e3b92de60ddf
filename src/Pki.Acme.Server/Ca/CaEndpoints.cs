using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Pki.Acme.Server;

/// <summary>The embedded CA's public files: the root (PEM and DER), the intermediate, and each issuer's CRL.</summary>
internal static class CaEndpoints
{
    /// <summary>
    /// Maps <c>GET ca/root.pem</c> (application/pem-certificate-chain), <c>ca/root.cer</c> and
    /// <c>ca/intermediate.cer</c> (application/pkix-cert), <c>ca/intermediate.crl</c> and <c>ca/root.crl</c>
    /// (application/pkix-crl) under <paramref name="group"/>, which must sit at the base URL given to <see cref="EmbeddedCa.Create"/>.
    /// </summary>
    public static void MapEmbeddedCa(this IEndpointRouteBuilder group, EmbeddedCa ca)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(ca);
        var rootPem = Encoding.ASCII.GetBytes(ca.RootPem);
        var rootDer = ca.RootDer;
        var intermediateDer = ca.IntermediateDer;
        group.MapGet("ca/root.pem", context => WriteAsync(context, "application/pem-certificate-chain", rootPem));
        group.MapGet("ca/root.cer", context => WriteAsync(context, "application/pkix-cert", rootDer));
        group.MapGet("ca/intermediate.cer", context => WriteAsync(context, "application/pkix-cert", intermediateDer));
        group.MapGet("ca/intermediate.crl", async context => await WriteAsync(context, "application/pkix-crl", await ca.GetCrlAsync(context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false));
        group.MapGet("ca/root.crl", async context =>
        {
            var crl = await ca.GetRootCrlAsync(context.RequestAborted).ConfigureAwait(false);
            if (crl is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await WriteAsync(context, "application/pkix-crl", crl).ConfigureAwait(false);
        });
    }

    private static async Task WriteAsync(HttpContext context, string contentType, byte[] body)
    {
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
