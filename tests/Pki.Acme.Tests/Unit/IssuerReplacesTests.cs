using System.Net;
using System.Text;
using System.Text.Json;

namespace Pki.Acme.Tests.Unit;

/// <summary>
/// RFC 9773 section 5 in the issuer: a CA that will not honour <c>replaces</c> says so on newOrder,
/// and <see cref="AcmeCertificateIssuer"/> places the order once more without it; any other refusal
/// stands. Runs the whole issuance against <see cref="IssuanceStub"/>.
/// </summary>
public sealed class IssuerReplacesTests : IDisposable
{
    private const string Replaces = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
    private readonly IssuanceStub _stub = new();

    public void Dispose() => _stub.Dispose();

    [Theory]
    [InlineData(HttpStatusCode.Conflict, AcmeProblemTypes.AlreadyReplaced, "already replaced")]
    [InlineData(HttpStatusCode.Conflict, AcmeProblemTypes.Malformed, "replaces names a certificate that was renewed")]
    [InlineData(HttpStatusCode.Forbidden, AcmeProblemTypes.Unauthorized, "the certificate named in replaces was not issued to this account")]
    public async Task A_refused_replaces_is_ordered_once_more_without_it(HttpStatusCode status, string type, string detail)
    {
        RefuseReplaces(status, type, detail);
        var (client, account) = await _stub.AccountAsync();
        var stages = new List<AcmeIssuanceStage>();

        var issued = await new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("a.example.test")], Replaces = Replaces, Progress = new SyncProgress(stages) },
            [new Http01ChallengeSolver(new InMemoryHttp01TokenStore())]);

        Assert.Equal([Replaces, null], OrderedReplaces());
        Assert.Single(stages, s => s == AcmeIssuanceStage.OrderCreated);
        Assert.Single(issued.AllChains);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, AcmeProblemTypes.Unauthorized, "account is deactivated")]
    [InlineData(HttpStatusCode.BadRequest, AcmeProblemTypes.Malformed, "bad identifiers")]
    public async Task Any_other_refusal_of_an_order_with_replaces_stands(HttpStatusCode status, string type, string detail)
    {
        RefuseReplaces(status, type, detail);
        var (client, account) = await _stub.AccountAsync();

        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("a.example.test")], Replaces = Replaces },
            [new Http01ChallengeSolver(new InMemoryHttp01TokenStore())]));

        Assert.Equal(type, ex.Type);
        Assert.Equal([Replaces], OrderedReplaces());
    }

    [Fact]
    public async Task Without_replaces_an_alreadyReplaced_answer_is_not_retried()
    {
        _stub.Server.Routes["POST /order"] = _ => StubAcmeServer.Problem(HttpStatusCode.Conflict, AcmeProblemTypes.AlreadyReplaced, "already replaced");
        var (client, account) = await _stub.AccountAsync();

        var ex = await Assert.ThrowsAsync<AcmeProblemException>(() => new AcmeCertificateIssuer(client).IssueAsync(
            account,
            new AcmeIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("a.example.test")] },
            [new Http01ChallengeSolver(new InMemoryHttp01TokenStore())]));

        Assert.Equal(AcmeProblemTypes.AlreadyReplaced, ex.Type);
        Assert.Equal(1, _stub.Server.Count("POST /order"));
    }

    /// <summary>newOrder refuses any request that carries <c>replaces</c> with the given problem, and serves the others as usual.</summary>
    private void RefuseReplaces(HttpStatusCode status, string type, string detail)
    {
        var order = _stub.Server.Routes["POST /order"];
        _stub.Server.Routes["POST /order"] = request =>
            ReplacesOf(request.Content!.ReadAsStringAsync().GetAwaiter().GetResult()) is null ? order(request) : StubAcmeServer.Problem(status, type, detail);
    }

    private List<string?> OrderedReplaces() =>
        _stub.Server.Requests.Where(r => r.Method == "POST" && r.Path == "/order").Select(r => ReplacesOf(r.Body!)).ToList();

    private static string? ReplacesOf(string jws)
    {
        using var outer = JsonDocument.Parse(jws);
        var payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(outer.RootElement.GetProperty("payload").GetString()));
        using var inner = JsonDocument.Parse(payload);
        return inner.RootElement.TryGetProperty("replaces", out var replaces) ? replaces.GetString() : null;
    }

    private sealed class SyncProgress(List<AcmeIssuanceStage> stages) : IProgress<AcmeIssuanceProgress>
    {
        public void Report(AcmeIssuanceProgress value)
        {
            lock (stages)
            {
                stages.Add(value.Stage);
            }
        }
    }
}
