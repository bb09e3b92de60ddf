using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Pki.Ari.Tests;

/// <summary>Records the decoded JWS payloads of the requests a client sends.</summary>
public sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public List<(string Path, string Payload)> Posts { get; } = [];

    public IEnumerable<JsonElement> PayloadsTo(string pathSuffix) =>
        Posts.Where(p => p.Path.EndsWith(pathSuffix, StringComparison.Ordinal)).Select(p => JsonDocument.Parse(p.Payload).RootElement);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method == HttpMethod.Post && request.Content is not null)
        {
            using var jws = JsonDocument.Parse(await request.Content.ReadAsStringAsync(cancellationToken));
            var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(jws.RootElement.GetProperty("payload").GetString()));
            lock (Posts)
            {
                Posts.Add((request.RequestUri!.AbsolutePath, payload.Length == 0 ? "null" : payload));
            }
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
