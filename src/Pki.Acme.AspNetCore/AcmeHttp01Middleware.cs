using System.Text;
using Microsoft.AspNetCore.Http;

namespace Pki.Acme.AspNetCore;

/// <summary>
/// Answers <c>GET /.well-known/acme-challenge/{token}</c> from the <see cref="IHttp01TokenStore"/>
/// with the key authorization as <c>application/octet-stream</c> (RFC 8555 section 8.3); an unknown
/// token gets 404; every other request goes on down the pipeline. An <see cref="IAsyncHttp01TokenStore"/>
/// (the default, shared through the certificate store) is asked asynchronously, so this instance
/// answers tokens that another instance of the farm presented.
/// </summary>
public sealed class AcmeHttp01Middleware
{
    /// <summary>The path prefix of http-01 requests.</summary>
    public const string PathPrefix = "/.well-known/acme-challenge/";

    private readonly RequestDelegate _next;
    private readonly IHttp01TokenStore _tokens;

    /// <summary>Creates the middleware.</summary>
    public AcmeHttp01Middleware(RequestDelegate next, IHttp01TokenStore tokens)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(tokens);
        _next = next;
        _tokens = tokens;
    }

    /// <summary>Handles one request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value;
        if (path is null || !path.StartsWith(PathPrefix, StringComparison.Ordinal) || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        var token = path[PathPrefix.Length..];
        var keyAuthorization = _tokens is IAsyncHttp01TokenStore shared
            ? await shared.FindAsync(token, context.RequestAborted).ConfigureAwait(false)
            : _tokens.TryGet(token, out var local) ? local : null;
        if (keyAuthorization is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var body = Encoding.ASCII.GetBytes(keyAuthorization);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
