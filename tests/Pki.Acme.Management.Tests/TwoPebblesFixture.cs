using System.Net;
using Pki.TestSupport;

namespace Pki.Acme.Management.Tests;

/// <summary>
/// Two real Pebbles, two CAs with separate random hierarchies, each with an http-01 responder on
/// the port its validator connects to; both responders serve one token store.
/// </summary>
public sealed class TwoPebblesFixture : IAsyncLifetime
{
    private readonly List<IDisposable> _owned = [];

    public PebbleServer A { get; private set; } = null!;

    public PebbleServer B { get; private set; } = null!;

    public InMemoryHttp01TokenStore Tokens { get; } = new();

    private Http01Responder _responderA = null!;
    private Http01Responder _responderB = null!;

    public async Task InitializeAsync()
    {
        var a = PebbleServer.StartAsync(new PebbleOptions { CertificateValidityPeriodSeconds = 3600 });
        var b = PebbleServer.StartAsync(new PebbleOptions { CertificateValidityPeriodSeconds = 3600 });
        A = await a;
        B = await b;
        _responderA = StartResponder(Tokens, A.HttpPort);
        _responderB = StartResponder(Tokens, B.HttpPort);
    }

    public static Http01Responder StartResponder(IHttp01TokenStore tokens, int port) =>
        Http01Responder.Start(tokens, port, prefixes: null);

    public Http01ChallengeSolver Solver => new(Tokens);

    /// <summary>An issuer over <paramref name="pebble"/> with an HttpClient pinned to its listener certificate.</summary>
    public AcmeIssuer CreateIssuer(PebbleServer pebble, string name, string? caaIdentity = null, Action<AcmeIssuerOptions>? configure = null)
    {
        var http = pebble.CreateHttpClient();
        lock (_owned)
        {
            _owned.Add(http);
        }

        var options = new AcmeIssuerOptions { Name = name, DirectoryUri = pebble.DirectoryUri, TermsOfServiceAgreed = true, Contacts = { "mailto:ops@example.test" } };
        if (caaIdentity is not null)
        {
            options.CaaIdentities.Add(caaIdentity);
        }

        configure?.Invoke(options);
        return new AcmeIssuer(options, new AcmeClient(http, new AcmeClientOptions { DirectoryUri = pebble.DirectoryUri }));
    }

    public static string UniqueName(string label) => $"{label}-{Guid.NewGuid():N}"[..(label.Length + 13)] + ".example.test";

    public static TempDirectory NewStoreDirectory() => new();

    public async Task DisposeAsync()
    {
        await _responderA.DisposeAsync();
        await _responderB.DisposeAsync();
        await A.DisposeAsync();
        await B.DisposeAsync();
        foreach (var item in _owned)
        {
            item.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TwoPebblesCollection : ICollectionFixture<TwoPebblesFixture>
{
    public const string Name = "two-pebbles";
}
