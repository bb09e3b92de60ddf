using System.Net;
using Microsoft.Extensions.Time.Testing;
using Pki.TestSupport;

namespace Pki.Ari.Tests;

/// <summary>
/// The renewalInfo server behind a <see cref="FaultProxy"/>: whatever the connection does, GetAsync
/// returns a transient failure within <see cref="RenewalInfoOptions.RequestTimeout"/> (issue #11: a
/// stalled body kept GetAsync waiting although HttpClient.Timeout was 2 s).
/// </summary>
public sealed class TransportFaultTests : IAsyncLifetime
{
    private readonly AriCertId _id = AriCertId.Parse("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
    // No HttpClient.Timeout at all: RequestTimeout alone must end every stall (HttpClient.Timeout
    // would cover the headers only anyway).
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>A regression hangs: the guard makes it fail (with an OperationCanceledException) instead.</summary>
    private readonly CancellationTokenSource _guard = new(TimeSpan.FromSeconds(20));
    private AriServer _server = null!;
    private FaultProxy _proxy = null!;

    public Task InitializeAsync()
    {
        _server = new AriServer();
        _server.Set(_id, new AriServer.Answer(200, RenewalInfoTests.Rfc9773Example));
        _proxy = new FaultProxy("127.0.0.1", _server.Port);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _server.DisposeAsync();
        _http.Dispose();
        _guard.Dispose();
    }

    private Uri RenewalInfoUrl => _proxy.Map(_server.RenewalInfoUrl);

    private RenewalInfoClient Client(TimeSpan requestTimeout, TimeProvider? time = null) =>
        new(_http, new RenewalInfoOptions { RequestTimeout = requestTimeout }, timeProvider: time);

    [Fact]
    public async Task Through_the_proxy_in_pass_mode_the_answer_is_read()
    {
        var result = await Client(TimeSpan.FromSeconds(10)).GetAsync(RenewalInfoUrl, _id, cancellationToken: _guard.Token);
        Assert.Equal(RenewalInfoStatus.Ok, result.Status);
        Assert.True(_proxy.BytesToClient > 0);
    }

    [Theory]
    [InlineData("stall-after-headers", "the body did not arrive within 1 s (RequestTimeout)")]
    [InlineData("trickle", "timed out after 1 s (RequestTimeout)")]
    [InlineData("black-hole", "timed out after 1 s (RequestTimeout)")]
    [InlineData("reset", "failed: ")]
    public async Task A_faulty_connection_is_a_transient_failure_within_the_deadline(string fault, string problem)
    {
        _proxy.Fault = fault switch
        {
            "stall-after-headers" => Fault.StallAfterHeaders(bodyBytes: 10),
            "trickle" => Fault.Trickle(1, TimeSpan.FromMilliseconds(100)),
            "black-hole" => Fault.BlackHole,
            _ => Fault.Reset,
        };

        var result = await Client(TimeSpan.FromSeconds(1)).GetAsync(RenewalInfoUrl, _id, cancellationToken: _guard.Token);

        Assert.Equal(RenewalInfoStatus.TransientFailure, result.Status);
        Assert.Contains(problem, result.Problem, StringComparison.Ordinal);
        Assert.Null(result.Window);
    }

    [Fact]
    public async Task The_deadline_runs_on_the_time_provider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _proxy.Fault = Fault.StallAfterHeaders();
        var fetch = Client(TimeSpan.FromSeconds(30), time).GetAsync(RenewalInfoUrl, _id, cancellationToken: _guard.Token);

        // The headers arrive (real time); the body never does until the fake clock passes the deadline.
        for (var i = 0; i < 500 && _proxy.BytesToClient == 0; i++)
        {
            await Task.Delay(10);
        }

        await Task.Delay(100);
        Assert.False(fetch.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));

        var result = await fetch;
        Assert.Equal(RenewalInfoStatus.TransientFailure, result.Status);
        Assert.Contains("the body did not arrive within 30 s (RequestTimeout)", result.Problem, StringComparison.Ordinal);
        Assert.Equal(time.GetUtcNow().AddSeconds(-30).AddMinutes(1), result.NextPollAt); // the first transient backoff, from when the request started
    }

    [Fact]
    public async Task A_503_the_proxy_answers_itself_is_transient_and_its_retry_after_is_honoured()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _proxy.Fault = Fault.HttpResponse(503, retryAfter: "120");

        var result = await Client(TimeSpan.FromSeconds(10), time).GetAsync(RenewalInfoUrl, _id, cancellationToken: _guard.Token);

        Assert.Equal(RenewalInfoStatus.TransientFailure, result.Status);
        Assert.Equal(time.GetUtcNow().AddMinutes(2), result.NextPollAt);
        Assert.Equal(1, _proxy.ResponsesSynthesized);
        Assert.Equal(0, _server.Requests(_id));
    }

    [Fact]
    public async Task The_callers_cancellation_stays_an_OperationCanceledException()
    {
        _proxy.Fault = Fault.StallAfterHeaders();
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(_guard.Token);
        caller.CancelAfter(TimeSpan.FromMilliseconds(500));

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client(TimeSpan.FromMinutes(5)).GetAsync(RenewalInfoUrl, _id, cancellationToken: caller.Token));

        Assert.Equal(caller.Token, ex.CancellationToken);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(601)]
    public void RequestTimeout_must_be_positive_and_bounded(int seconds)
    {
        var ex = Assert.Throws<AriException>(() => new RenewalInfoClient(_http, new RenewalInfoOptions { RequestTimeout = TimeSpan.FromSeconds(seconds) }));
        Assert.Equal($"RenewalInfoOptions: RequestTimeout must be positive and at most 00:10:00; it is {TimeSpan.FromSeconds(seconds)}.", ex.Message);
    }
}
