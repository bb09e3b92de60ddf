using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Time.Testing;

namespace Pki.Acme.Tests.Unit;

/// <summary>The tls-alpn-01 responder on loopback: a client that stalls mid-handshake is cut off on the responder's clock.</summary>
public sealed class TlsAlpn01ResponderTests
{
    [Fact]
    public async Task A_client_that_stalls_before_its_handshake_is_closed_once_the_fake_clock_passes_the_deadline()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var responder = TlsAlpn01Responder.Start(new InMemoryTlsAlpn01ChallengeStore(), new IPEndPoint(IPAddress.Loopback, 0), timeProvider: time);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, responder.LocalEndPoint.Port);
        var stream = tcp.GetStream();
        var buffer = new byte[16];
        var read = stream.ReadAsync(buffer).AsTask();
        await Task.WhenAny(read, Task.Delay(200));
        Assert.False(read.IsCompleted, "The responder closed a connection before its handshake deadline.");

        // Nothing is sent (no ClientHello): only the deadline on the fake clock can end the connection.
        // The loop stays well under the deadline in real time, so a responder timing on the system
        // clock would still be waiting when it ends.
        for (var i = 0; i < 60 && !read.IsCompleted; i++)
        {
            time.Advance(TlsAlpn01Responder.HandshakeTimeout + TimeSpan.FromSeconds(1));
            await Task.WhenAny(read, Task.Delay(50));
        }

        Assert.True(read.IsCompleted, "The responder did not close the stalled connection when its TimeProvider passed the deadline.");
        var closed = await Record.ExceptionAsync(async () => Assert.Equal(0, await read));
        Assert.True(closed is null or IOException, $"Expected a closed connection, got {closed}");
    }

    [Fact]
    public async Task A_name_without_a_challenge_gets_no_certificate()
    {
        await using var responder = TlsAlpn01Responder.Start(new InMemoryTlsAlpn01ChallengeStore(), new IPEndPoint(IPAddress.Loopback, 0));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, responder.LocalEndPoint.Port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "unknown.example.com",
            ApplicationProtocols = [new SslApplicationProtocol(TlsAlpn01Certificate.AlpnProtocol)],
        };
        var refused = await Record.ExceptionAsync(() => tls.AuthenticateAsClientAsync(options));
        Assert.True(refused is AuthenticationException or IOException, $"Expected the handshake to fail, got {refused?.GetType().Name ?? "success"}");
    }
}
