using Microsoft.Extensions.Time.Testing;

namespace Pki.Ari.Tests;

public sealed class RenewalInfoTests : IAsyncLifetime
{
    // RFC 9773 section 4.2 example response body.
    public const string Rfc9773Example = """
        {
          "suggestedWindow": {
            "start": "2025-01-02T04:00:00Z",
            "end": "2025-01-03T04:00:00Z"
          },
          "explanationURL": "https://acme.example.com/docs/ari"
        }
        """;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly AriCertId _id = AriCertId.Parse("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private AriServer _server = null!;
    private RenewalInfoClient _client = null!;

    public Task InitializeAsync()
    {
        _server = new AriServer();
        _client = new RenewalInfoClient(_http, timeProvider: _time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private Task<RenewalInfoResult> GetAsync(int failures = 0) => _client.GetAsync(_server.RenewalInfoUrl, _id, failures);

    [Fact]
    public async Task The_rfc9773_example_is_read_with_its_retry_after()
    {
        _server.Set(_id, new AriServer.Answer(200, Rfc9773Example, RetryAfter: "21600"));

        var result = await GetAsync();

        Assert.Equal(RenewalInfoStatus.Ok, result.Status);
        Assert.Equal(new RenewalWindow(DateTimeOffset.Parse("2025-01-02T04:00:00Z"), DateTimeOffset.Parse("2025-01-03T04:00:00Z")), result.Window);
        Assert.Equal(new Uri("https://acme.example.com/docs/ari"), result.ExplanationUrl);
        Assert.Equal(_time.GetUtcNow().AddHours(6), result.NextPollAt);
        Assert.Equal(1, _server.Requests(_id));
    }

    [Theory]
    [InlineData("5", 60)]          // raised to the 1 minute minimum
    [InlineData("864000", 86400)]  // lowered to the 1 day maximum
    [InlineData("3600", 3600)]
    [InlineData(null, 21600)]      // none: the 6 hour default
    public async Task Retry_after_is_clamped(string? retryAfter, int expectedSeconds)
    {
        _server.Set(_id, new AriServer.Answer(200, Rfc9773Example, retryAfter));
        var result = await GetAsync();
        Assert.Equal(_time.GetUtcNow().AddSeconds(expectedSeconds), result.NextPollAt);
    }

    [Theory]
    [InlineData("""{"suggestedWindow":{"start":"2025-01-03T04:00:00Z","end":"2025-01-02T04:00:00Z"}}""", "is not after start")]
    [InlineData("""{"suggestedWindow":{"start":"2025-01-02T04:00:00Z","end":"2025-01-02T04:00:00Z"}}""", "is not after start")]
    [InlineData("""{"suggestedWindow":{"start":5,"end":"2025-01-02T04:00:00Z"}}""", "not a valid renewalInfo object")]
    [InlineData("""{"suggestedWindow":{"start":"yesterday","end":"2025-01-02T04:00:00Z"}}""", "not a valid renewalInfo object")]
    [InlineData("""{"suggestedWindow":{"start":"2025-01-02T04:00:00Z"}}""", "no suggestedWindow with both start and end")]
    [InlineData("""{"explanationURL":"https://x.example/"}""", "no suggestedWindow")]
    [InlineData("""{"suggestedWindow":{"start":"2025-01-02T04:00:00Z","end":"2025-01-03T04:00:00Z"},"explanationURL":"not a url"}""", "explanationURL 'not a url' is not an absolute http(s) URL")]
    [InlineData("{not json", "not a valid renewalInfo object")]
    [InlineData("[]", "not a valid renewalInfo object")]
    public async Task Invalid_answers_count_as_no_answer_and_are_retried_after_the_long_term_interval(string body, string problem)
    {
        _server.Set(_id, new AriServer.Answer(200, body, RetryAfter: "60"));

        var result = await GetAsync();

        Assert.Equal(RenewalInfoStatus.Invalid, result.Status);
        Assert.Null(result.Window);
        Assert.Contains(problem, result.Problem, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow().AddHours(6), result.NextPollAt);
    }

    [Fact]
    public async Task An_oversized_answer_is_invalid()
    {
        _server.Set(_id, new AriServer.Answer(200, "{\"x\":\"" + new string('a', 100_000) + "\"}"));
        var result = await GetAsync();
        Assert.Equal(RenewalInfoStatus.Invalid, result.Status);
        Assert.Contains("the limit is 65536", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_404_is_a_long_term_failure()
    {
        var result = await GetAsync(); // nothing set: the fixture answers 404
        Assert.Equal(RenewalInfoStatus.LongTermFailure, result.Status);
        Assert.Equal(_time.GetUtcNow().AddHours(6), result.NextPollAt);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 8)]
    [InlineData(10, 60)] // capped at 1 hour
    public async Task Server_errors_back_off_exponentially_with_a_cap(int previousFailures, int expectedMinutes)
    {
        _server.Set(_id, new AriServer.Answer(500, "oops", ContentType: "text/plain"));
        var result = await GetAsync(previousFailures);
        Assert.Equal(RenewalInfoStatus.TransientFailure, result.Status);
        Assert.Equal(_time.GetUtcNow().AddMinutes(expectedMinutes), result.NextPollAt);
    }

    [Fact]
    public async Task A_503_with_retry_after_is_honoured()
    {
        _server.Set(_id, new AriServer.Answer(503, "busy", RetryAfter: "120", ContentType: "text/plain"));
        var result = await GetAsync(5);
        Assert.Equal(RenewalInfoStatus.TransientFailure, result.Status);
        Assert.Equal(_time.GetUtcNow().AddMinutes(2), result.NextPollAt);
    }

    [Fact]
    public async Task A_dead_server_is_a_transient_failure()
    {
        var dead = new Uri($"http://127.0.0.1:{Pki.TestSupport.FreePorts.Tcp()}/renewalInfo");
        var result = await _client.GetAsync(dead, _id);
        Assert.Equal(RenewalInfoStatus.TransientFailure, result.Status);
        Assert.Contains("failed", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        Assert.Contains("MinRetryAfter", Assert.Throws<AriException>(() => new RenewalInfoClient(_http, new RenewalInfoOptions { MinRetryAfter = TimeSpan.Zero })).Message, StringComparison.Ordinal);
        Assert.Contains("TransientBackoff", Assert.Throws<AriException>(() => new RenewalInfoClient(_http, new RenewalInfoOptions { TransientBackoff = TimeSpan.FromHours(2) })).Message, StringComparison.Ordinal);
        Assert.Contains("FallbackRemainingLifetimeFraction", Assert.Throws<AriException>(() => new RenewalPlanner(_client, new RenewalPlannerOptions { FallbackRemainingLifetimeFraction = 1.5 })).Message, StringComparison.Ordinal);
    }
}
