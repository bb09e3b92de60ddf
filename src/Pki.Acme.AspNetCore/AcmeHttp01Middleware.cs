using Microsoft.AspNetCore.Http;

namespace Pki.Acme.AspNetCore;

/// <summary>
/// Answers http-01 (RFC 8555 section 8.3) inside the ASP.NET Core pipeline with the same logic as
/// <see cref="Http01Responder"/> (<see cref="Http01Endpoint"/>): a GET or HEAD under
/// <see cref="Http01Endpoint.PathPrefix"/> gets the key authorization from the registered
/// <see cref="IHttp01TokenStore"/> as <c>application/octet-stream</c>, or 404 for an unknown or
/// malformed token; every other request goes on down the pipeline. An <see cref="IAsyncHttp01TokenStore"/>
/// (the default, shared through the certificate store) is asked asynchronously, so this instance
/// answers tokens that another instance of the farm presented. <c>services.AddAcmeCertificates(...)</c>
/// puts it first in the pipeline; <c>app.UseAcmeHttp01Challenges()</c> adds it where it is called.
/// </summary>
public sealed class AcmeHttp01Middleware
{
    private readonly RequestDelegate _next;
    private readonly IHttp01TokenStore _tokens;

    /// <summary>Creates the middleware (ASP.NET Core does, with the registered token store).</summary>
    public AcmeHttp01Middleware(RequestDelegate next, IHttp01TokenStore tokens)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(tokens);
        _next = next;
        _tokens = tokens;
    }

    /// <summary>Answers an http-01 request (200 or 404, ending the pipeline) or passes any other request to the next middleware.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value;
        if (!Http01Endpoint.IsChallengePath(path) || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        var keyAuthorization = await Http01Endpoint.FindKeyAuthorizationAsync(_tokens, path, context.RequestAborted).ConfigureAwait(false);
        if (keyAuthorization is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var body = Http01Endpoint.GetBody(keyAuthorization);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = Http01Endpoint.ContentType;
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
