using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Pki.Acme.Server;

/// <summary>
/// What the three validators share: each attempt runs under its own deadline (<see cref="AcmeServerValidationOptions.Timeout"/>
/// on the injected clock), transient failures are tried again after <see cref="AcmeServerValidationOptions.RetryDelay"/>
/// up to <see cref="AcmeServerValidationOptions.Attempts"/> times, and every failure on the client's side becomes a problem
/// document naming the identifier. Subclasses implement one attempt in <see cref="AttemptAsync"/>.
/// </summary>
internal abstract class AcmeChallengeValidatorBase : IAcmeChallengeValidator
{
    protected AcmeChallengeValidatorBase(AcmeServerValidationOptions options, AcmeValidationDns dns, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        Options = options;
        Dns = dns;
        Time = time;
        Logger = logger;
    }

    public abstract string Type { get; }

    protected AcmeServerValidationOptions Options { get; }

    /// <summary>The validation authority's resolver, shared by the validators.</summary>
    protected AcmeValidationDns Dns { get; }

    protected TimeProvider Time { get; }

    protected ILogger Logger { get; }

    public abstract bool Supports(AcmeIdentifier identifier);

    public async Task<AcmeChallengeCheck> ValidateAsync(AcmeIdentifier identifier, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(keyAuthorization);
        if (!Supports(identifier))
        {
            return Invalid(identifier, new AcmeValidationFailure(AcmeProblemTypes.Malformed, $"The {Type} challenge cannot validate the {identifier.Type} identifier '{identifier.Value}'."), 1);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var attempts = Options.Attempts;
        AcmeValidationFailure? failure = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(Options.RetryDelay, Time, cancellationToken).ConfigureAwait(false);
            }

            failure = await AttemptOnceAsync(identifier, token, keyAuthorization, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                ValidationLog.Valid(Logger, Type, identifier.Value);
                return AcmeChallengeCheck.Valid;
            }

            ValidationLog.AttemptFailed(Logger, Type, identifier.Value, attempt, attempts, failure.ProblemType, failure.Message);
            if (!failure.IsRetryable)
            {
                return Invalid(identifier, failure, attempt);
            }
        }

        return Invalid(identifier, failure!, attempts);
    }

    /// <summary>One attempt: returns normally when the proof matches, throws <see cref="AcmeValidationFailure"/> otherwise.</summary>
    protected abstract Task AttemptAsync(AcmeIdentifier identifier, string token, string keyAuthorization, CancellationToken cancellationToken);

    private static int StatusOf(string problemType) => problemType == AcmeProblemTypes.Unauthorized ? 403 : 400;

    private async Task<AcmeValidationFailure?> AttemptOnceAsync(AcmeIdentifier identifier, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        using var deadline = TimeProviderDelay.CreateTimeoutSource(Time, Options.Timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await AttemptAsync(identifier, token, keyAuthorization, linked.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (AcmeValidationFailure.Find(ex) is { } failure && !cancellationToken.IsCancellationRequested)
        {
            return failure;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AcmeValidationFailure.Connection(string.Create(CultureInfo.InvariantCulture, $"No answer for {identifier.Value} within {Options.Timeout.TotalSeconds:0.###} s (timeout)."));
        }
    }

    private AcmeChallengeCheck Invalid(AcmeIdentifier identifier, AcmeValidationFailure failure, int attemptsMade)
    {
        var detail = failure.IsRetryable && attemptsMade > 1 ? $"{failure.Message} (after {attemptsMade} attempts)" : failure.Message;
        ValidationLog.Invalid(Logger, Type, identifier.Value, failure.ProblemType, detail);
        var problem = new AcmeProblem
        {
            Type = failure.ProblemType,
            Detail = detail,
            Status = StatusOf(failure.ProblemType),
            Identifier = identifier,
        };
        return new AcmeChallengeCheck(false, problem, failure.IsRetryable);
    }
}
