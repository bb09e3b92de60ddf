using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;

namespace Pki.Acme.Tests.Unit;

/// <summary>
/// A hostile or broken CA cannot make the client flood it (issue #11: Retry-After: 0 or a past
/// date was honoured with no floor, and alternate chains were fetched without limit).
/// Counts, not timings: time is a <see cref="FakeTimeProvider"/> driven by the test.
/// </summary>
public sealed class FloodTests
{
    private const string Pending = """{"status":"pending","identifier":{"type":"dns","value":"a.example"},"challenges":[]}""";
    private static readonly Uri AuthorizationUrl = new("https://acme.test/authz/1");

    private readonly StubAcmeServer _server = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));

    private async Task<(AcmeClient Client, AcmeAccount Account)> AccountAsync(Action<AcmeClientOptions>? configure = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var client = _server.CreateClient(configure, _time, logger);
        var account = await client.CreateAccountAsync(AcmeKey.Create(), new AcmeNewAccountRequest { TermsOfServiceAgreed = true });
        return (client, account);
    }

    /// <summary>Moves the fake clock forward in small steps, letting the poll loop run between them.</summary>
    private async Task DriveAsync(Task until, TimeSpan total, TimeSpan step)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < total && !until.IsCompleted; elapsed += step)
        {
            _time.Advance(step);
            await Task.Delay(1);
        }
    }

    public static TheoryData<string> UselessRetryAfters => new()
    {
        "0",
        "Mon, 01 Jun 2026 00:00:00 GMT", // now, by the fake clock
        "Fri, 01 May 2026 00:00:00 GMT", // a month ago
    };

    [Theory]
    [MemberData(nameof(UselessRetryAfters))]
    public async Task A_retry_after_of_zero_or_in_the_past_falls_back_to_the_backoff_and_polling_stays_bounded(string retryAfter)
    {
        var (client, account) = await AccountAsync(o => o.PollTimeout = TimeSpan.FromSeconds(60));
        using var runaway = new CancellationTokenSource();
        var polls = 0;
        _server.Routes["POST /authz/1"] = _ =>
        {
            // A regression polls in a tight loop: stop it here so the test fails instead of spinning.
            if (Interlocked.Increment(ref polls) >= 500)
            {
                runaway.Cancel();
            }

            var response = StubAcmeServer.Json(HttpStatusCode.OK, Pending);
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
            return response;
        };

        var wait = client.WaitForAuthorizationAsync(account, AuthorizationUrl, runaway.Token);
        await DriveAsync(wait, TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(100));

        // The whole PollTimeout passed: backoff from 50 ms doubling to 5 s allows about 18 polls in 60 s.
        var outcome = await Record.ExceptionAsync(() => wait.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.InRange(polls, 5, 20);
        var timeout = Assert.IsType<AcmeOrderException>(outcome);
        Assert.Contains("still 'pending' after polling for 60 s", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_positive_retry_after_is_raised_to_MinRetryAfter()
    {
        var (client, account) = await AccountAsync(o => o.MinRetryAfter = TimeSpan.FromSeconds(5));
        var polls = 0;
        _server.Routes["POST /authz/1"] = _ =>
        {
            var response = StubAcmeServer.Json(HttpStatusCode.OK, Interlocked.Increment(ref polls) < 2 ? Pending : Pending.Replace("pending", "valid", StringComparison.Ordinal));
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
            return response;
        };

        var wait = client.WaitForAuthorizationAsync(account, AuthorizationUrl);
        await WaitUntil(() => Volatile.Read(ref polls) == 1);
        await DriveAsync(wait, TimeSpan.FromSeconds(4), TimeSpan.FromMilliseconds(500));
        Assert.Equal(1, Volatile.Read(ref polls)); // Retry-After 1 s is raised to 5 s: no poll after 4 s

        await DriveAsync(wait, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(500));
        Assert.Equal(AcmeStatus.Valid, (await wait.WaitAsync(TimeSpan.FromSeconds(30))).Resource.Status);
        Assert.Equal(2, polls);
    }

    [Fact]
    public async Task Alternate_chains_are_capped_at_MaxAlternateChains_and_the_cap_is_logged()
    {
        var logger = new TestOutputLogger(null);
        var (client, account) = await AccountAsync(logger: logger);
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=leaf", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var pem = certificate.ExportCertificatePem();
        _server.Routes["POST /cert/1"] = _ =>
        {
            var response = StubAcmeServer.Json(HttpStatusCode.OK, pem, "application/pem-certificate-chain");
            response.Headers.Add("Link", string.Join(", ", Enumerable.Range(0, 50).Select(i => $"</cert/1/alt/{i}>;rel=\"alternate\"")));
            return response;
        };
        for (var i = 0; i < 50; i++)
        {
            _server.Routes[$"POST /cert/1/alt/{i}"] = _ => StubAcmeServer.Json(HttpStatusCode.OK, pem, "application/pem-certificate-chain");
        }

        var chains = await client.DownloadCertificateAsync(account, new Uri("https://acme.test/cert/1"));

        Assert.Equal(11, chains.Count); // the default chain and 10 alternates
        Assert.Equal(10, _server.Requests.Count(r => r.Path.StartsWith("/cert/1/alt/", StringComparison.Ordinal)));
        Assert.Contains(logger.Lines, l => l.Contains("https://acme.test/cert/1 links 50 alternate chains; only the first 10 are fetched", StringComparison.Ordinal));

        var (none, noneAccount) = await AccountAsync(o => o.MaxAlternateChains = 0);
        Assert.Single(await none.DownloadCertificateAsync(noneAccount, new Uri("https://acme.test/cert/1")));
        Assert.Equal(10, _server.Requests.Count(r => r.Path.StartsWith("/cert/1/alt/", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("min-zero", "AcmeClientOptions.MinRetryAfter (00:00:00) must be positive and not above MaxRetryAfter (00:10:00).")]
    [InlineData("min-above-max", "AcmeClientOptions.MinRetryAfter (00:11:00) must be positive and not above MaxRetryAfter (00:10:00).")]
    [InlineData("alternates", "AcmeClientOptions.MaxAlternateChains must be between 0 and 100; it is 101.")]
    public void Bad_flood_limits_are_refused_with_the_value_named(string which, string message)
    {
        var options = new AcmeClientOptions { DirectoryUri = StubAcmeServer.Directory };
        switch (which)
        {
            case "min-zero":
                options.MinRetryAfter = TimeSpan.Zero;
                break;
            case "min-above-max":
                options.MinRetryAfter = TimeSpan.FromMinutes(11);
                break;
            default:
                options.MaxAlternateChains = 101;
                break;
        }

        Assert.Equal(message, Assert.Throws<AcmeConfigurationException>(() => new AcmeClient(new HttpClient(), options)).Message);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
