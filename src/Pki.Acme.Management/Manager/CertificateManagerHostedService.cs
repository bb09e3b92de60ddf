using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pki.Acme.Management;

/// <summary>
/// Runs <see cref="CertificateManager.RunAsync"/> in the background for the life of the host: issues
/// once the host has started (so a web server that answers http-01 or tls-alpn-01 is listening), then
/// renews when due.
/// </summary>
public sealed class CertificateManagerHostedService : BackgroundService
{
    private readonly CertificateManager _manager;
    private readonly ILogger<CertificateManagerHostedService> _logger;
    private readonly IHostApplicationLifetime? _lifetime;

    /// <summary>Creates the service; with <paramref name="lifetime"/>, the first issuance waits for <see cref="IHostApplicationLifetime.ApplicationStarted"/>.</summary>
    public CertificateManagerHostedService(CertificateManager manager, ILogger<CertificateManagerHostedService> logger, IHostApplicationLifetime? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(logger);
        _manager = manager;
        _logger = logger;
        _lifetime = lifetime;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Yield first, so the host (and the web server that answers http-01) starts without waiting.
        await Task.Yield();
        try
        {
            if (_lifetime is not null)
            {
                var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                using (_lifetime.ApplicationStarted.Register(() => started.TrySetResult(true)))
                using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
                {
                    await started.Task.ConfigureAwait(false);
                }
            }

            await _manager.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            HostedLog.Stopped(_logger, ex);
            throw;
        }
    }
}

internal static partial class HostedLog
{
    [LoggerMessage(120, LogLevel.Critical, "The certificate manager stopped unexpectedly")]
    public static partial void Stopped(ILogger logger, Exception exception);
}
