using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.Acme.Tests.Interop;

/// <summary>
/// The real Pebble behind a <see cref="FaultProxy"/> that stalls, trickles, black-holes and resets
/// its TLS connections: every exchange ends at <see cref="AcmeClientOptions.RequestTimeout"/> with a
/// typed <see cref="AcmeTransportException"/> instead of hanging (issue #11).
/// </summary>
[Collection(PebbleCollection.Name)]
public sealed class TransportFaultTests(PebbleFixture fixture, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(1.5);

    /// <summary>A regression hangs: the guard makes it fail (with an OperationCanceledException) instead.</summary>
    private readonly CancellationTokenSource _guard = new(TimeSpan.FromSeconds(20));
    private readonly List<HttpClient> _http = [];

    public void Dispose()
    {
        _guard.Dispose();
        foreach (var http in _http)
        {
            http.Dispose();
        }
    }

    private HttpClient Http()
    {
        var http = fixture.Pebble.CreateHttpClient();
        _http.Add(http);
        return http;
    }

    private AcmeClient Client(FaultProxy proxy, HttpClient? http = null, TimeSpan? requestTimeout = null) =>
        new(http ?? Http(), new AcmeClientOptions { DirectoryUri = proxy.Map(fixture.Pebble.DirectoryUri), RequestTimeout = requestTimeout ?? RequestTimeout }, new TestOutputLogger(output));

    public static TheoryData<string> NewConnectionStalls => ["stall-in-handshake", "trickle", "black-hole"];

    [Theory]
    [MemberData(nameof(NewConnectionStalls))]
    public async Task GetDirectory_ends_with_a_typed_timeout_when_the_connection_stalls(string fault)
    {
        await using var proxy = FaultProxy.For(fixture.Pebble.DirectoryUri);
        proxy.Fault = fault switch
        {
            "stall-in-handshake" => Fault.StallAfter(100),
            "trickle" => Fault.Trickle(1, TimeSpan.FromMilliseconds(100)),
            _ => Fault.BlackHole,
        };
        var client = Client(proxy);

        var ex = await Assert.ThrowsAsync<AcmeTransportException>(() => client.GetDirectoryAsync(_guard.Token));

        Assert.Equal(AcmeTransportFailureKind.Timeout, ex.Kind);
        Assert.Equal(client.DirectoryUri, ex.RequestUri);
        Assert.Equal($"ACME GET {client.DirectoryUri} timed out after 1.5 s (AcmeClientOptions.RequestTimeout) while waiting for the response.", ex.Message);
    }

    [Fact]
    public async Task GetDirectory_ends_with_a_typed_timeout_when_a_pooled_connection_stalls_mid_response()
    {
        await using var proxy = FaultProxy.For(fixture.Pebble.DirectoryUri);
        var http = Http();
        await Client(proxy, http).GetDirectoryAsync(_guard.Token);

        // A second client on the same HttpClient reuses the kept-alive connection, which now
        // forwards the first 20 bytes of the TLS record carrying the answer, then nothing.
        proxy.Fault = Fault.StallAfter(20);
        var ex = await Assert.ThrowsAsync<AcmeTransportException>(() => Client(proxy, http).GetDirectoryAsync(_guard.Token));

        Assert.Equal(AcmeTransportFailureKind.Timeout, ex.Kind);
        Assert.Equal(1, proxy.ConnectionsAccepted);
    }

    [Fact]
    public async Task A_reset_connection_is_ConnectionFailed()
    {
        await using var proxy = FaultProxy.For(fixture.Pebble.DirectoryUri);
        proxy.Fault = Fault.Reset;
        var client = Client(proxy);

        var ex = await Assert.ThrowsAsync<AcmeTransportException>(() => client.GetDirectoryAsync(_guard.Token));

        Assert.Equal(AcmeTransportFailureKind.ConnectionFailed, ex.Kind);
        Assert.StartsWith($"ACME GET {client.DirectoryUri} failed while waiting for the response: ", ex.Message, StringComparison.Ordinal);
        Assert.True(proxy.ConnectionsReset >= 1);
    }

    [Fact]
    public async Task A_signed_post_ends_with_a_typed_timeout_when_its_answer_stalls()
    {
        await using var proxy = FaultProxy.For(fixture.Pebble.DirectoryUri);
        var client = Client(proxy);
        var account = await fixture.NewAccountAsync(client);

        proxy.Fault = Fault.StallAfter(20);
        var ex = await Assert.ThrowsAsync<AcmeTransportException>(() => client.GetAccountAsync(account, _guard.Token));

        Assert.Equal(AcmeTransportFailureKind.Timeout, ex.Kind);
        Assert.StartsWith("ACME ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(" timed out after 1.5 s (AcmeClientOptions.RequestTimeout)", ex.Message, StringComparison.Ordinal);

        // Lifted: the same client carries on.
        proxy.Fault = Fault.Pass;
        Assert.Equal(account.Location, (await client.GetAccountAsync(account, _guard.Token)).Location);
    }

    [Fact]
    public async Task The_head_to_newNonce_has_the_deadline_too()
    {
        await using var proxy = FaultProxy.For(fixture.Pebble.DirectoryUri);
        var client = Client(proxy);
        var directory = await client.GetDirectoryAsync(_guard.Token);
        Assert.Equal(0, client.PooledNonces); // GET /dir carries no nonce: the next POST needs HEAD newNonce

        proxy.Fault = Fault.StallAfter(0);
        var ex = await Assert.ThrowsAsync<AcmeTransportException>(() =>
            client.CreateAccountAsync(AcmeKey.Create(), new AcmeNewAccountRequest { TermsOfServiceAgreed = true }, _guard.Token));

        Assert.Equal(AcmeTransportFailureKind.Timeout, ex.Kind);
        Assert.Equal(directory.NewNonce, ex.RequestUri);
        Assert.StartsWith($"ACME HEAD {directory.NewNonce} timed out", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_a_transport_failure()
    {
        await using var proxy = FaultProxy.For(fixture.Pebble.DirectoryUri);
        proxy.Fault = Fault.BlackHole;
        var client = Client(proxy, requestTimeout: TimeSpan.FromMinutes(5));
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(_guard.Token);
        caller.CancelAfter(TimeSpan.FromMilliseconds(500));

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetDirectoryAsync(caller.Token));

        Assert.Equal(caller.Token, ex.CancellationToken);
    }
}
