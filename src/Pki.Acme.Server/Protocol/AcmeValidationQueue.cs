using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Acme;
using Pki.Acme.Server.Storage;

namespace Pki.Acme.Server.Protocol;

/// <summary>The challenges waiting for validation (ids only: the store holds the state).</summary>
internal sealed class AcmeValidationQueue
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = false });
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _pending = new(StringComparer.Ordinal);

    /// <summary>Queues <paramref name="challengeId"/>; the task completes when this instance has finished with it (stored or not).</summary>
    public Task Enqueue(string challengeId)
    {
        var done = _pending.GetOrAdd(challengeId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _channel.Writer.TryWrite(challengeId);
        return done.Task;
    }

    /// <summary>The validation service has finished with <paramref name="challengeId"/>.</summary>
    public void Finished(string challengeId)
    {
        if (_pending.TryRemove(challengeId, out var done))
        {
            done.TrySetResult();
        }
    }

    public ChannelReader<string> Reader => _channel.Reader;
}

/// <summary>
/// Initializes the store, re-queues challenges left <c>processing</c> (crash-safe), and validates queued challenges
/// with the registered <see cref="IAcmeChallengeValidator"/>s, storing each outcome through conditional updates.
/// </summary>
internal sealed class AcmeValidationService : BackgroundService
{
    private const int MaxAttempts = 3;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long an order may stay processing before it counts as interrupted.</summary>
    internal static readonly TimeSpan InterruptedAfter = TimeSpan.FromMinutes(10);

    /// <summary>How often interrupted orders are looked for.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly IAcmeServerStore _store;
    private readonly AcmeValidationQueue _queue;
    private readonly IReadOnlyList<IAcmeChallengeValidator> _validators;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private readonly int _workers;

    public AcmeValidationService(IAcmeServerStore store, AcmeValidationQueue queue, IEnumerable<IAcmeChallengeValidator> validators, TimeProvider time, ILogger<AcmeValidationService> logger, IOptions<AcmeServerOptions> options)
    {
        // Checked with the rest of the validation options when the built-in validators are made; clamped for apps that bring their own.
        _workers = Math.Clamp(options.Value.Validation.MaxConcurrentValidations, 1, 1024);
        _store = store;
        _queue = queue;
        _validators = validators.ToList();
        _time = time;
        _logger = logger;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var processing = await _store.ListProcessingChallengesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in processing)
        {
            _ = _queue.Enqueue(id); // nobody waits for these: their clients poll
        }

        if (processing.Count > 0)
        {
            Log.Requeued(_logger, processing.Count);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _workers).Select(_ => WorkAsync(stoppingToken)).Append(SweepInterruptedOrdersAsync(stoppingToken)));

    /// <summary>
    /// Every <see cref="SweepInterval"/>, orders left processing for <see cref="InterruptedAfter"/> by an instance that
    /// stopped mid-issuance become invalid with a serverInternal problem (issuance itself takes seconds), so their
    /// clients order again instead of polling until the order expires.
    /// </summary>
    private async Task SweepInterruptedOrdersAsync(CancellationToken stoppingToken)
    {
        var problem = new AcmeProblem
        {
            Type = AcmeProblemTypes.ServerInternal,
            Detail = "The server stopped while issuing this order's certificate; place a new order.",
            Status = 500,
        };
        while (true)
        {
            try
            {
                var failed = await _store.FailInterruptedOrdersAsync(problem, InterruptedAfter, stoppingToken).ConfigureAwait(false);
                if (failed > 0)
                {
                    Log.OrdersInterrupted(_logger, failed);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failing sweep (database down) is tried again at the next interval.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.SweepFailed(_logger, ex);
            }

            try
            {
                await Task.Delay(SweepInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var id in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await ValidateAsync(id, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // One failing challenge must not stop the queue; it stays processing and is retried at the next start.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.ValidationFailed(_logger, id, ex);
                }
                finally
                {
                    _queue.Finished(id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task ValidateAsync(string challengeId, CancellationToken cancellationToken)
    {
        var challenge = await _store.GetChallengeAsync(challengeId, cancellationToken).ConfigureAwait(false);
        if (challenge is not { Status: "processing" })
        {
            return;
        }

        var authz = (await _store.GetAuthorizationAsync(challenge.AuthorizationId, cancellationToken).ConfigureAwait(false))!;
        var account = (await _store.GetAccountAsync(authz.AccountId, cancellationToken).ConfigureAwait(false))!;
        var validator = _validators.FirstOrDefault(v => v.Type == challenge.Type);
        AcmeChallengeCheck check;
        if (validator is null)
        {
            check = new AcmeChallengeCheck(false, new AcmeProblem { Type = AcmeProblemTypes.ServerInternal, Detail = $"No validator for {challenge.Type} is registered any more." });
        }
        else if (_time.GetUtcNow() >= authz.Expires)
        {
            check = new AcmeChallengeCheck(false, new AcmeProblem { Type = AcmeProblemTypes.Unauthorized, Detail = "The authorization expired before validation." });
        }
        else
        {
            // A transient failure (timeout, refused connection) gets a bounded number of further attempts.
            var keyAuthorization = challenge.Token + "." + account.Thumbprint;
            check = await validator.ValidateAsync(authz.Identifier, challenge.Token, keyAuthorization, cancellationToken).ConfigureAwait(false);
            for (var attempt = 1; attempt < MaxAttempts && !check.IsValid && check.IsRetryable; attempt++)
            {
                await Task.Delay(RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                check = await validator.ValidateAsync(authz.Identifier, challenge.Token, keyAuthorization, cancellationToken).ConfigureAwait(false);
            }
        }

        // The challenge and its authorization move together (one transaction); when the authorization was moved
        // meanwhile (deactivated, or another instance decided), the challenge is closed as invalid and nothing else changes.
        var now = _time.GetUtcNow();
        var outcome = check.IsValid ? "valid" : "invalid";
        var error = check.IsValid ? null : (check.Error ?? new AcmeProblem { Type = AcmeProblemTypes.IncorrectResponse, Detail = "The challenge was not met." }) with { Identifier = authz.Identifier };
        if (!await _store.CompleteValidationAsync(challenge.Id, authz.Id, outcome, check.IsValid ? now : null, error, cancellationToken).ConfigureAwait(false))
        {
            await _store.TransitionChallengeAsync(challenge.Id, "processing", "invalid", null, new AcmeProblem { Type = AcmeProblemTypes.Malformed, Detail = "The authorization changed during validation.", Identifier = authz.Identifier }, cancellationToken).ConfigureAwait(false);
            return;
        }

        var order = await _store.GetOrderAsync(authz.OrderId, cancellationToken).ConfigureAwait(false);
        if (order is { Status: "pending" })
        {
            if (!check.IsValid)
            {
                await _store.TransitionOrderAsync("pending", order with { Status = "invalid", Error = error }, cancellationToken).ConfigureAwait(false);
            }
            else if ((await _store.GetAuthorizationsAsync(order.AuthorizationIds, cancellationToken).ConfigureAwait(false)).All(a => a.Status == "valid"))
            {
                await _store.TransitionOrderAsync("pending", order with { Status = "ready" }, cancellationToken).ConfigureAwait(false);
            }
        }

        Log.ChallengeValidated(_logger, challenge.Id, challenge.Type, authz.Identifier.Value, check.IsValid ? "valid" : "invalid");
    }
}
