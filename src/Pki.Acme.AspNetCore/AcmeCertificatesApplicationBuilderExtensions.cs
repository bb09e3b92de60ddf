using Pki.Acme.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the http-01 middleware to a pipeline.</summary>
public static class AcmeCertificatesApplicationBuilderExtensions
{
    /// <summary>Answers http-01 challenges (<see cref="AcmeHttp01Middleware"/>); put it first, before HTTPS redirection.</summary>
    public static IApplicationBuilder UseAcmeHttp01Challenges(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<AcmeHttp01Middleware>();
    }
}
