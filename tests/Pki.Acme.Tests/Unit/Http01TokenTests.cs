using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Pki.TestSupport;

namespace Pki.Acme.Tests.Unit;

/// <summary>Issue #11, point 9: http-01 tokens are base64url before any store sees them.</summary>
public sealed class Http01TokenTests
{
    private const string Token = IssuanceStub.ValidToken;

    [Theory]
    [InlineData(Token, true)]
    [InlineData("tok-1", true)] // short: the CA's entropy is checked on what it sends, not by stores
    [InlineData("../../etc/passwd", false)]
    [InlineData("..", false)]
    [InlineData("abcdefghijklmnopqrstuv==", false)]
    [InlineData("abcdefghijklmnopqrst+/", false)]
    [InlineData("abcdefghijklmnopqrstu%2F", false)]
    [InlineData("abcdefghijklmnopqrstu\\", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Well_formed_tokens_are_base64url_without_padding(string? token, bool expected)
    {
        Assert.Equal(expected, AcmeChallengeResource.IsWellFormedToken(token));
    }

    [Fact]
    public void Over_long_tokens_are_refused()
    {
        Assert.True(AcmeChallengeResource.IsWellFormedToken(new string('a', 256)));
        Assert.False(AcmeChallengeResource.IsWellFormedToken(new string('a', 257)));
    }

    [Fact]
    public void The_in_memory_store_refuses_tokens_that_are_not_base64url()
    {
        var store = new InMemoryHttp01TokenStore();

        var ex = Assert.Throws<ArgumentException>(() => store.Add("../../etc/passwd", "key-authorization"));

        Assert.Equal("The http-01 token '../../etc/passwd' is not base64url of at most 256 characters (RFC 8555 section 8.3). (Parameter 'token')", ex.Message);
        Assert.Equal(0, store.Count);
        Assert.False(store.TryGet("../../etc/passwd", out _));
        Assert.False(store.Remove("../../etc/passwd"));

        store.Add(Token, Token + ".thumbprint");
        Assert.True(store.TryGet(Token, out var keyAuthorization));
        Assert.Equal(Token + ".thumbprint", keyAuthorization);
    }

    [Fact]
    public async Task The_responder_answers_404_to_a_path_that_is_not_a_token_without_asking_the_store()
    {
        var store = new RecordingStore();
        store.Tokens[Token] = Token + ".thumbprint";
        var port = FreePorts.Tcp();
        await using var responder = Http01Responder.Start(store, port, prefixes: [$"http://127.0.0.1:{port}/"]);

        var traversal = await GetAsync(port, "/.well-known/acme-challenge/..%2F..%2Fetc%2Fpasswd");
        var dots = await GetAsync(port, "/.well-known/acme-challenge/...");
        var padded = await GetAsync(port, "/.well-known/acme-challenge/" + Token + "=");
        var good = await GetAsync(port, "/.well-known/acme-challenge/" + Token);

        Assert.StartsWith("HTTP/1.1 404", traversal, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 404", dots, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 404", padded, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", good, StringComparison.Ordinal);
        Assert.EndsWith(Token + ".thumbprint", good, StringComparison.Ordinal);
        Assert.Equal([Token], store.Looked);
    }

    // A raw request: HttpClient would normalise the path before sending it.
    private static async Task<string> GetAsync(int port, string path)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        using var stream = tcp.GetStream();
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(request);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync();
    }

    private sealed class RecordingStore : IHttp01TokenStore
    {
        public ConcurrentDictionary<string, string> Tokens { get; } = new();

        public ConcurrentQueue<string> Looked { get; } = new();

        public void Add(string token, string keyAuthorization) => Tokens[token] = keyAuthorization;

        public bool Remove(string token) => Tokens.TryRemove(token, out _);

        public bool TryGet(string token, out string keyAuthorization)
        {
            Looked.Enqueue(token);
            return Tokens.TryGetValue(token, out keyAuthorization!);
        }
    }
}
