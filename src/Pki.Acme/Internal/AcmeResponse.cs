using System.Net;

namespace Pki.Acme.Internal;

/// <summary>A response read within the size limit, with the headers ACME uses.</summary>
internal sealed record AcmeResponse(
    Uri RequestUri,
    HttpStatusCode StatusCode,
    string? MediaType,
    byte[] Body,
    Uri? Location,
    TimeSpan? RetryAfter,
    IReadOnlyList<(Uri Target, string Rel)> Links)
{
    public IEnumerable<Uri> LinksWithRel(string rel) => Links.Where(l => string.Equals(l.Rel, rel, StringComparison.OrdinalIgnoreCase)).Select(l => l.Target);
}
