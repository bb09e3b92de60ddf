using System.Text;
using Microsoft.AspNetCore.Http;

namespace Pki.Acme.AspNetCore;

/// <summary>
/// Answers <c>GET /.well-known/acme-challenge/{token}</c> from the <see cref="IHttp01TokenStore"/>
/// with the key authorization as <c>application/octet-stream</c> (RFC 8555 section 8.3); an unknown
/// token gets 404; every other request goes on down the pipeline.
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
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value;
        if (path is null || !path.StartsWith(PathPrefix, StringComparison.Ordinal) || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            return _next(context);
        }

        if (!_tokens.TryGet(path[PathPrefix.Length..], out var keyAuthorization))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var body = Encoding.ASCII.GetBytes(keyAuthorization);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
