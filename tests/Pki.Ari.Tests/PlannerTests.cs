using System.Security.Cryptography.X509Certificates;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace Pki.Ari.Tests;

public sealed class PlannerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private AriServer _server = null!;
    private RenewalPlanner _planner = null!;
    private double _sample = 0.25;

    public Task InitializeAsync()
    {
        _server = new AriServer();
        _planner = new RenewalPlanner(new RenewalInfoClient(_http, timeProvider: _time), timeProvider: _time, random: () => _sample);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private static X509Certificate2 Certificate(byte serial, DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        TestCertificates.Create(TestCertificates.Rfc9773KeyIdentifier, [0x01, serial], notBefore, notAfter);

    private static string Window(DateTimeOffset start, DateTimeOffset end) =>
        $$"""{"suggestedWindow":{"start":"{{start:O}}","end":"{{end:O}}"},"explanationURL":"https://ca.example/why"}""";

    [Fact]
    public async Task A_time_is_chosen_once_inside_the_window_and_ari_is_polled_only_as_retry_after_allows()
    {
        using var certificate = Certificate(1, Now.AddDays(-60), Now.AddDays(30));
        var id = AriCertId.FromCertificate(certificate);
        var start = Now.AddDays(10);
        _server.Set(id, new AriServer.Answer(200, Window(start, start.AddDays(2)), RetryAfter: "3600"));
        var tracked = new TrackedCertificate(certificate, _server.RenewalInfoUrl);

        var first = await _planner.PlanAsync(tracked);

        Assert.Equal(RenewalReason.AriWindow, first.Reason);
        Assert.Equal(start.AddHours(10.8), first.RenewAt); // 0.25 of the first 90% of a 48 h window (the last 10% is kept for retries)
        Assert.Equal(new Uri("https://ca.example/why"), first.ExplanationUrl);
        Assert.Equal(Now.AddHours(1), first.NextPollAt);
        Assert.Contains("inside the CA's window", first.Explanation, StringComparison.Ordinal);

        // Before Retry-After has passed: no request, same decision even if the randomness changes.
        _sample = 0.9;
        _time.Advance(TimeSpan.FromMinutes(30));
        var second = await _planner.PlanAsync(tracked);
        Assert.Equal(1, _server.Requests(id));
        Assert.Equal(first.RenewAt, second.RenewAt);

        // After it: polled again; the same window keeps the chosen time.
        _time.Advance(TimeSpan.FromMinutes(31));
        var third = await _planner.PlanAsync(tracked);
        Assert.Equal(2, _server.Requests(id));
        Assert.Equal(first.RenewAt, third.RenewAt);

        // A new window (e.g. the CA plans a mass revocation): a new time is chosen inside it.
        _time.Advance(TimeSpan.FromHours(1));
        var urgent = _time.GetUtcNow();
        _server.Set(id, new AriServer.Answer(200, Window(urgent, urgent.AddHours(2)), RetryAfter: "60"));
        var fourth = await _planner.PlanAsync(tracked);
        Assert.Equal(RenewalReason.AriWindow, fourth.Reason);
        Assert.Equal(urgent.AddHours(1.62), fourth.RenewAt); // sample 0.9 of the first 90% of the new 2 h window

        // Once that window has ended without a renewal: now.
        _time.Advance(TimeSpan.FromHours(3));
        var fifth = await _planner.PlanAsync(tracked);
        Assert.Equal(RenewalReason.AriWindowPassed, fifth.Reason);
        Assert.Equal(_time.GetUtcNow(), fifth.RenewAt);
    }

    [Fact]
    public async Task A_window_in_the_past_means_now()
    {
        using var certificate = Certificate(2, Now.AddDays(-60), Now.AddDays(30));
        var id = AriCertId.FromCertificate(certificate);
        _server.Set(id, new AriServer.Answer(200, Window(Now.AddDays(-3), Now.AddDays(-1))));

        var plan = await _planner.PlanAsync(new TrackedCertificate(certificate, _server.RenewalInfoUrl));

        Assert.Equal(RenewalReason.AriWindowPassed, plan.Reason);
        Assert.Equal(Now, plan.RenewAt);
        Assert.True(plan.IsDue(Now));
    }

    [Fact]
    public async Task Without_renewal_info_the_fallback_is_a_third_of_the_lifetime_remaining()
    {
        using var certificate = Certificate(3, Now.AddDays(-30), Now.AddDays(60)); // 90 days
        var plan = await _planner.PlanAsync(new TrackedCertificate(certificate, RenewalInfoUrl: null));

        Assert.Equal(RenewalReason.Fallback, plan.Reason);
        Assert.Equal(Now.AddDays(30), plan.RenewAt);
        Assert.Contains("no renewalInfo URL", plan.AriProblem, StringComparison.Ordinal);
        Assert.Null(plan.NextPollAt);
    }

    [Fact]
    public async Task An_invalid_answer_falls_back_and_says_why()
    {
        using var certificate = Certificate(4, Now.AddDays(-30), Now.AddDays(60));
        var id = AriCertId.FromCertificate(certificate);
        _server.Set(id, new AriServer.Answer(200, """{"suggestedWindow":{"start":"2025-02-01T00:00:00Z","end":"2025-01-01T00:00:00Z"}}"""));

        var plan = await _planner.PlanAsync(new TrackedCertificate(certificate, _server.RenewalInfoUrl));

        Assert.Equal(RenewalReason.Fallback, plan.Reason);
        Assert.Equal(Now.AddDays(30), plan.RenewAt);
        Assert.Contains("Invalid", plan.AriProblem, StringComparison.Ordinal);
        Assert.Equal(Now.AddHours(6), plan.NextPollAt);
    }

    [Fact]
    public async Task Expired_and_replaced_certificates_are_never_polled()
    {
        using var expired = Certificate(5, Now.AddDays(-90), Now.AddDays(-1));
        using var replaced = Certificate(6, Now.AddDays(-10), Now.AddDays(80));
        _server.Set(AriCertId.FromCertificate(expired), new AriServer.Answer(200, Window(Now, Now.AddDays(1))));
        _server.Set(AriCertId.FromCertificate(replaced), new AriServer.Answer(200, Window(Now, Now.AddDays(1))));

        var plans = await _planner.PlanAsync([new TrackedCertificate(expired, _server.RenewalInfoUrl), new TrackedCertificate(replaced, _server.RenewalInfoUrl, Replaced: true)]);

        Assert.Equal(RenewalReason.Expired, plans[0].Reason);
        Assert.Equal(Now, plans[0].RenewAt);
        Assert.Equal(RenewalReason.Replaced, plans[1].Reason);
        Assert.Null(plans[1].RenewAt);
        Assert.Equal(0, _server.Requests(AriCertId.FromCertificate(expired)));
        Assert.Equal(0, _server.Requests(AriCertId.FromCertificate(replaced)));
    }

    [Fact]
    public async Task A_certificate_without_aki_falls_back_with_the_reason()
    {
        using var certificate = TestCertificates.Create(null, [0x07], Now.AddDays(-1), Now.AddDays(89));
        var plan = await _planner.PlanAsync(new TrackedCertificate(certificate, _server.RenewalInfoUrl));
        Assert.Equal(RenewalReason.Fallback, plan.Reason);
        Assert.Null(plan.CertId);
        Assert.Contains("no Authority Key Identifier", plan.AriProblem, StringComparison.Ordinal);
    }

    [Property(MaxTest = 500)]
    public Property The_chosen_time_is_always_inside_a_valid_window(int startMinutes, PositiveInt lengthMinutes, NormalFloat raw)
    {
        var sample = Math.Abs(raw.Get % 1.0);
        var start = Now.AddMinutes(Math.Abs(startMinutes % 100_000));
        var window = new RenewalWindow(start, start.AddMinutes(lengthMinutes.Get));
        var at = RenewalPlanner.ChooseTime(window, sample, Now);
        return (at >= window.Start && at <= window.End).ToProperty();
    }

    [Property(MaxTest = 500)]
    public Property The_end_reserve_of_the_window_is_never_chosen(int startMinutes, PositiveInt lengthMinutes, NormalFloat raw, NormalFloat rawReserve)
    {
        var sample = Math.Abs(raw.Get % 1.0);
        var reserve = Math.Abs(rawReserve.Get % 1.0);
        var start = Now.AddMinutes(Math.Abs(startMinutes % 100_000));
        var window = new RenewalWindow(start, start.AddMinutes(lengthMinutes.Get));
        var at = RenewalPlanner.ChooseTime(window, sample, Now, reserve);
        var latest = window.Start + TimeSpan.FromTicks((long)(window.Length.Ticks * (1 - reserve)));
        return (at >= window.Start && at <= latest).ToProperty();
    }

    [Fact]
    public void An_end_reserve_outside_the_unit_interval_is_refused()
    {
        var window = new RenewalWindow(Now, Now.AddDays(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RenewalPlanner.ChooseTime(window, 0.5, Now, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RenewalPlanner.ChooseTime(window, 0.5, Now, -0.1));
        var ex = Assert.Throws<AriException>(() => new RenewalPlanner(new RenewalInfoClient(_http), new RenewalPlannerOptions { AriWindowEndReserve = 1 }));
        Assert.Contains("AriWindowEndReserve", ex.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 500)]
    public Property A_past_window_always_gives_now(PositiveInt endMinutesAgo, PositiveInt lengthMinutes, NormalFloat raw)
    {
        var end = Now.AddMinutes(-endMinutesAgo.Get);
        var window = new RenewalWindow(end.AddMinutes(-lengthMinutes.Get), end);
        return (RenewalPlanner.ChooseTime(window, Math.Abs(raw.Get % 1.0), Now) == Now).ToProperty();
    }

    [Fact]
    public void Samples_outside_the_unit_interval_are_refused()
    {
        var window = new RenewalWindow(Now, Now.AddDays(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RenewalPlanner.ChooseTime(window, 1.0, Now));
        Assert.Throws<ArgumentOutOfRangeException>(() => RenewalPlanner.ChooseTime(window, double.NaN, Now));
    }
}
