using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pki.TestSupport;

namespace Pki.Acme.Management.Tests;

/// <summary>
/// The http-01 and tls-alpn-01 challenge stores shared through an <see cref="ICertificateStore"/>:
/// two instances are two stores over one directory, as two processes of a farm would be.
/// </summary>
public sealed class SharedChallengeStoreTests
{
    private const string Token = "dKIETDv34eRWtPpXgf-HqHQoRUVpTIYAuCBH_xRtnbQ";
    private const string KeyAuthorization = Token + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

    [Fact]
    public async Task A_token_added_on_one_instance_is_answered_by_another_until_it_is_removed()
    {
        using var dir = new TempDirectory();
        var a = new StoreHttp01TokenStore(new FileSystemCertificateStore(dir.Path));
        var b = new StoreHttp01TokenStore(new FileSystemCertificateStore(dir.Path));

        // Asked before it exists, then right after it is published: a miss is not remembered.
        Assert.Null(await b.FindAsync(Token, default));
        await a.AddAsync(Token, KeyAuthorization, default);
        Assert.Equal(KeyAuthorization, await b.FindAsync(Token, default));
        Assert.Equal(1, a.Count);
        Assert.Equal(0, b.Count);
        Assert.True(a.TryGet(Token, out var local));
        Assert.Equal(KeyAuthorization, local);
        Assert.False(b.TryGet(Token, out _)); // the synchronous members see this instance only

        Assert.True(await a.RemoveAsync(Token, default));
        Assert.Null(await b.FindAsync(Token, default));
        Assert.Null(await a.FindAsync(Token, default));
        Assert.False(await a.RemoveAsync(Token, default));
        Assert.Equal(0, a.Count);
    }

    [Fact]
    public async Task The_http01_solver_publishes_before_Present_returns_and_withdraws_on_cleanup()
    {
        using var dir = new TempDirectory();
        var solver = new Http01ChallengeSolver(new StoreHttp01TokenStore(new FileSystemCertificateStore(dir.Path)));
        var other = new StoreHttp01TokenStore(new FileSystemCertificateStore(dir.Path));
        var context = ChallengeContext(AcmeIdentifier.Dns("www.example.test"), AcmeChallengeResource.Http01);

        await solver.PresentAsync(context, default);
        Assert.Equal(KeyAuthorization, await other.FindAsync(Token, default));

        await solver.CleanupAsync(context, default);
        Assert.Null(await other.FindAsync(Token, default));
    }

    [Fact]
    public async Task The_built_in_responder_answers_a_token_another_instance_published()
    {
        using var dir = new TempDirectory();
        var a = new StoreHttp01TokenStore(new FileSystemCertificateStore(dir.Path));
        var port = FreePorts.Tcp();
        await using var responder = Http01Responder.Start(new StoreHttp01TokenStore(new FileSystemCertificateStore(dir.Path)), port, prefixes: [$"http://127.0.0.1:{port}/"]);
        using var http = new HttpClient();
        var url = new Uri($"http://127.0.0.1:{port}/.well-known/acme-challenge/{Token}");

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(url)).StatusCode);
        await a.AddAsync(Token, KeyAuthorization, default);
        using var response = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(KeyAuthorization, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("../../data/certificates/www/current.json")]
    [InlineData("tok en")]
    [InlineData("tok.en")]
    [InlineData("tok%2Fen")]
    public async Task Tokens_that_are_not_base64url_are_answered_as_absent_without_asking_the_store(string token)
    {
        var store = new RecordingStore();
        var tokens = new StoreHttp01TokenStore(store);

        Assert.Null(await tokens.FindAsync(token, default));
        Assert.False(await tokens.RemoveAsync(token, default));
        Assert.Empty(store.Keys);
    }

    [Fact]
    public async Task A_token_longer_than_a_store_key_allows_is_refused_without_asking_the_store()
    {
        var store = new RecordingStore();
        var tokens = new StoreHttp01TokenStore(store);
        var longToken = new string('A', 127);

        Assert.Null(await tokens.FindAsync(longToken, default));
        Assert.Empty(store.Keys);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => tokens.AddAsync(longToken, longToken + ".x", default));
        Assert.Equal($"The http-01 token '{longToken}' is not 1-126 base64url characters (A-Z, a-z, 0-9, '-', '_'). (Parameter 'token')", ex.Message);

        await tokens.FindAsync(new string('A', 126), default);
        Assert.Equal(["challenges/http-01/t-" + new string('A', 126)], store.Keys);
    }

    [Fact]
    public async Task Adding_a_malformed_token_or_key_authorization_throws_a_typed_exception_naming_it()
    {
        var store = new RecordingStore();
        var tokens = new StoreHttp01TokenStore(store);

        var badToken = await Assert.ThrowsAsync<ArgumentException>(() => tokens.AddAsync("a/b", "a/b.x", default));
        Assert.Equal("The http-01 token 'a/b' is not 1-126 base64url characters (A-Z, a-z, 0-9, '-', '_'). (Parameter 'token')", badToken.Message);
        var otherToken = await Assert.ThrowsAsync<ArgumentException>(() => tokens.AddAsync(Token, "other.thumbprint", default));
        Assert.Equal($"The key authorization 'other.thumbprint' is not '{Token}.' followed by a base64url account key thumbprint (RFC 8555 section 8.1). (Parameter 'keyAuthorization')", otherToken.Message);
        var sync = Assert.Throws<ArgumentException>(() => tokens.Add(Token, Token + ".not base64url"));
        Assert.Equal("keyAuthorization", sync.ParamName);
        Assert.Empty(store.Keys);
        Assert.Equal(0, tokens.Count);
    }

    [Fact]
    public async Task A_published_token_is_answered_until_its_lifetime_ends()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = new StoreHttp01TokenStore(new FileSystemCertificateStore(dir.Path), time, lifetime: TimeSpan.FromMinutes(10));
        var b = new StoreHttp01TokenStore(new FileSystemCertificateStore(dir.Path), time);
        await a.AddAsync(Token, KeyAuthorization, default);

        time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(KeyAuthorization, await b.FindAsync(Token, default));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(await b.FindAsync(Token, default));
    }

    [Fact]
    public async Task A_store_that_does_not_answer_within_the_lookup_timeout_is_cancelled_and_the_token_answered_as_absent()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new RecordingStore { StallReads = true };
        var logger = new ListLogger();
        var tokens = new StoreHttp01TokenStore(store, time, logger, lookupTimeout: TimeSpan.FromSeconds(2));

        var lookup = tokens.FindAsync(Token, default).AsTask();
        time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromMilliseconds(1));
        Assert.False(lookup.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Null(await lookup);
        Assert.True(store.ReadCancelled);
        Assert.Equal($"Warning: Looking up http-01 token {Token} in the shared store did not finish within 00:00:02; answering as if it were absent", Assert.Single(logger.Messages));
    }

    [Fact]
    public async Task A_failing_store_or_a_malformed_record_is_logged_and_the_token_answered_as_absent()
    {
        var store = new RecordingStore { FailReads = true };
        var logger = new ListLogger();
        var tokens = new StoreHttp01TokenStore(store, logger: logger);
        Assert.Null(await tokens.FindAsync(Token, default));
        Assert.Equal($"Warning: Looking up http-01 token {Token} in the shared store failed; answering as if it were absent (CertificateStoreException: disk on fire)", Assert.Single(logger.Messages));

        using var dir = new TempDirectory();
        var files = new FileSystemCertificateStore(dir.Path);
        var malformed = new ListLogger();
        var reader = new StoreHttp01TokenStore(files, logger: malformed);
        await files.WriteAsync(StoreHttp01TokenStore.KeyPrefix + Token, Encoding.UTF8.GetBytes("not json"), isSecret: false, default);
        Assert.Null(await reader.FindAsync(Token, default));
        await files.WriteAsync(StoreHttp01TokenStore.KeyPrefix + Token, Encoding.UTF8.GetBytes("{\"keyAuthorization\":\"other.x\",\"expiresAt\":\"2999-01-01T00:00:00Z\"}"), isSecret: false, default);
        Assert.Null(await reader.FindAsync(Token, default));
        Assert.Equal(2, malformed.Messages.Count);
        Assert.StartsWith($"Warning: The shared store holds an unusable record for http-01 token {Token}: it is not JSON: ", malformed.Messages[0], StringComparison.Ordinal);
        Assert.Equal($"Warning: The shared store holds an unusable record for http-01 token {Token}: its key authorization is not for this token; answering as if it were absent", malformed.Messages[1]);
    }

    [Fact]
    public void Durations_must_be_positive()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new StoreHttp01TokenStore(new RecordingStore(), lookupTimeout: TimeSpan.Zero));
        Assert.Equal("lookupTimeout", ex.ParamName);
        var alpn = Assert.Throws<ArgumentOutOfRangeException>(() => new StoreTlsAlpn01ChallengeStore(new RecordingStore(), lifetime: TimeSpan.FromSeconds(-1)));
        Assert.Equal("lifetime", alpn.ParamName);
    }

    [Fact]
    public async Task A_tls_alpn_01_challenge_published_by_one_instance_is_found_by_SNI_on_another_until_withdrawn()
    {
        using var dir = new TempDirectory();
        var a = new StoreTlsAlpn01ChallengeStore(new FileSystemCertificateStore(dir.Path));
        var b = new StoreTlsAlpn01ChallengeStore(new FileSystemCertificateStore(dir.Path));
        var dns = AcmeIdentifier.Dns("www.example.test");
        var ip = AcmeIdentifier.Ip(IPAddress.Parse("192.0.2.7"));

        Assert.Null(await b.FindAsync("www.example.test", default));
        await a.AddAsync(dns, KeyAuthorization, default);
        await a.AddAsync(ip, KeyAuthorization, default);

        var found = await b.FindAsync("WWW.Example.Test.", default);
        Assert.Equal(new TlsAlpn01Challenge(dns, KeyAuthorization), found);
        Assert.Equal(new TlsAlpn01Challenge(ip, KeyAuthorization), await b.FindAsync("7.2.0.192.in-addr.arpa", default));
        Assert.Null(await b.FindAsync("other.example.test", default));

        Assert.True(await a.RemoveAsync(dns, default));
        Assert.Null(await b.FindAsync("www.example.test", default));
        Assert.False(await a.RemoveAsync(dns, default));
        Assert.NotNull(await b.FindAsync("7.2.0.192.in-addr.arpa", default));
    }

    [Fact]
    public async Task The_synchronous_tls_alpn_01_members_act_on_this_instance_only()
    {
        var files = new RecordingStore();
        var a = new StoreTlsAlpn01ChallengeStore(files);
        var dns = AcmeIdentifier.Dns("local.example.test");

        a.Add(dns, KeyAuthorization);
        Assert.Empty(files.Keys);
        Assert.True(a.TryGet("LOCAL.example.test.", out var local));
        Assert.Equal(new TlsAlpn01Challenge(dns, KeyAuthorization), local);
        Assert.Equal(new TlsAlpn01Challenge(dns, KeyAuthorization), await a.FindAsync("local.example.test", default));
        Assert.Equal(1, a.Count);

        Assert.True(a.Remove(dns));
        Assert.False(a.TryGet("local.example.test", out _));
        Assert.Equal(0, a.Count);
        Assert.Throws<ArgumentException>(() => a.Add(AcmeIdentifier.Dns("*.example.test"), KeyAuthorization));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("www example.test")]
    [InlineData("www/../example.test")]
    [InlineData("wẃw.example.test")]
    public async Task Server_names_that_cannot_be_host_names_are_answered_as_absent_without_asking_the_store(string? serverName)
    {
        var store = new RecordingStore();
        Assert.Null(await new StoreTlsAlpn01ChallengeStore(store).FindAsync(serverName, default));
        Assert.Null(await new StoreTlsAlpn01ChallengeStore(store).FindAsync(new string('a', 254), default));
        Assert.Empty(store.Keys);
    }

    [Fact]
    public async Task Tls_alpn_01_refuses_wildcards_and_malformed_key_authorizations_and_ignores_records_for_another_name()
    {
        using var dir = new TempDirectory();
        var files = new FileSystemCertificateStore(dir.Path);
        var logger = new ListLogger();
        var challenges = new StoreTlsAlpn01ChallengeStore(files, logger: logger);

        var wildcard = await Assert.ThrowsAsync<ArgumentException>(() => challenges.AddAsync(AcmeIdentifier.Dns("*.example.test"), KeyAuthorization, default));
        Assert.Equal("The identifier '*.example.test' is a wildcard: tls-alpn-01 cannot validate wildcards (RFC 8737 section 3). (Parameter 'identifier')", wildcard.Message);
        var malformed = await Assert.ThrowsAsync<ArgumentException>(() => challenges.AddAsync(AcmeIdentifier.Dns("www.example.test"), "no-dot", default));
        Assert.Equal("The key authorization 'no-dot' is not a base64url token, '.', and a base64url account key thumbprint (RFC 8555 section 8.1). (Parameter 'keyAuthorization')", malformed.Message);

        // A record for one name stored under another name's key is not served for that other name.
        await challenges.AddAsync(AcmeIdentifier.Dns("a.example.test"), KeyAuthorization, default);
        var recordOfA = await files.ReadAsync(StoreTlsAlpn01ChallengeStore.KeyPrefix + Sha256Hex("a.example.test"), default);
        Assert.NotNull(recordOfA);
        await files.WriteAsync(StoreTlsAlpn01ChallengeStore.KeyPrefix + Sha256Hex("b.example.test"), recordOfA, isSecret: false, default);
        Assert.Null(await challenges.FindAsync("b.example.test", default));
        Assert.Equal("Warning: The shared store holds an unusable record for tls-alpn-01 challenge for b.example.test: its identifier or key authorization does not fit the name; answering as if it were absent", Assert.Single(logger.Messages));
    }

    [Fact]
    public async Task A_tls_alpn_01_challenge_is_answered_until_its_lifetime_ends()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = new StoreTlsAlpn01ChallengeStore(new FileSystemCertificateStore(dir.Path), time, lifetime: TimeSpan.FromMinutes(3));
        var b = new StoreTlsAlpn01ChallengeStore(new FileSystemCertificateStore(dir.Path), time);
        await a.AddAsync(AcmeIdentifier.Dns("www.example.test"), KeyAuthorization, default);
        time.Advance(TimeSpan.FromMinutes(3) - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(await b.FindAsync("www.example.test", default));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(await b.FindAsync("www.example.test", default));
    }

    [Fact]
    public async Task The_manager_registration_shares_http01_tokens_through_the_registered_store()
    {
        using var dir = new TempDirectory();
        var services = new ServiceCollection();
        services.AddAcmeCertificateManager(o =>
        {
            o.Issuers.Add(new AcmeIssuerOptions { Name = "a", DirectoryUri = new Uri("https://a.example/dir") });
            o.Manager.Certificates.Add(new ManagedCertificateOptions { Name = "www", Identifiers = { "www.example.test" } });
            o.StorePath = dir.Path;
        });
        await using var provider = services.BuildServiceProvider();

        var tokens = Assert.IsType<StoreHttp01TokenStore>(provider.GetRequiredService<IHttp01TokenStore>());
        await provider.GetRequiredService<IEnumerable<IChallengeSolver>>().Single().PresentAsync(ChallengeContext(AcmeIdentifier.Dns("www.example.test"), AcmeChallengeResource.Http01), default);
        Assert.Equal(KeyAuthorization, await new StoreHttp01TokenStore(new FileSystemCertificateStore(dir.Path)).FindAsync(Token, default));
        Assert.Equal(1, tokens.Count);
    }

    private static AcmeChallengeContext ChallengeContext(AcmeIdentifier identifier, string type)
    {
        var challenge = new AcmeChallengeResource { Type = type, Token = Token, Url = new Uri("https://ca.example/chall/1") };
        var authorization = new AcmeAuthorization(new Uri("https://ca.example/authz/1"), new AcmeAuthorizationResource { Identifier = identifier, Challenges = [challenge] });
        return new AcmeChallengeContext(identifier, authorization, challenge, KeyAuthorization);
    }

    private static string Sha256Hex(string text) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    /// <summary>A store that records the keys asked for, and can stall or fail reads.</summary>
    private sealed class RecordingStore : ICertificateStore
    {
        public List<string> Keys { get; } = [];

        public bool StallReads { get; init; }

        public bool FailReads { get; init; }

        public bool ReadCancelled { get; private set; }

        public async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
        {
            Keys.Add(key);
            if (FailReads)
            {
                throw new CertificateStoreException("disk on fire");
            }

            if (StallReads)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    ReadCancelled = true;
                    throw;
                }
            }

            return null;
        }

        public Task WriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken)
        {
            Keys.Add(key);
            return Task.CompletedTask;
        }

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
        {
            Keys.Add(key);
            return Task.FromResult(false);
        }

        public Task<ICertificateStoreLease?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private sealed class ListLogger : ILogger<StoreHttp01TokenStore>, ILogger<StoreTlsAlpn01ChallengeStore>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Messages.Add($"{logLevel}: {formatter(state, exception)}" + (exception is null ? string.Empty : $" ({exception.GetType().Name}: {exception.Message})"));
            }
        }
    }
}
