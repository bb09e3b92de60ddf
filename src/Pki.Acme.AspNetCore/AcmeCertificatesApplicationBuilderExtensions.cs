using Pki.Acme.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the http-01 middleware to a pipeline.</summary>
public static class AcmeCertificatesApplicationBuilderExtensions
{
    /// <summary>
    /// Answers http-01 challenges (<see cref="AcmeHttp01Middleware"/>) here in the pipeline; put it
    /// before HTTPS redirection. <c>services.AddAcmeCertificates(...)</c> already adds the middleware
    /// first in the pipeline, so this is needed only for a pipeline built without that call's startup
    /// filter; a second copy is harmless (it sees only the requests the first passed on).
    /// </summary>
    public static IApplicationBuilder UseAcmeHttp01Challenges(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<AcmeHttp01Middleware>();
    }
}
