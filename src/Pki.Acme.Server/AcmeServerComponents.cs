using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pki.Acme.Server;

/// <summary>
/// The real parts behind the protocol's seams, registered by <c>AddAcmeServer</c> unless the application registered its own
/// first: the embedded CA (<see cref="EmbeddedCa"/>), the three challenge validators and the CAA enforcer.
/// </summary>
internal static partial class AcmeServerComponents
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "CAA is not checked before issuance (AcmeServerOptions.Validation.EnforceCaa is false): use this only for a private namespace.")]
    private static partial void CaaOff(ILogger logger);

    public static void Register(IServiceCollection services)
    {
        services.TryAddSingleton<AcmeServerMount>();
        services.TryAddSingleton<IAcmeCertificateIssuerBackend>(sp => CreateCa(sp));

        // The validators come as a set (they share one resolver); registered only when the application has none of its own.
        if (!services.Any(d => d.ServiceType == typeof(IAcmeChallengeValidator)))
        {
            services.TryAddSingleton(sp => new AcmeValidatorSet(AcmeValidation.CreateValidators(
                ValidationOptions(sp.GetRequiredService<IOptions<AcmeServerOptions>>().Value),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<ILoggerFactory>())));
            for (var i = 0; i < 3; i++)
            {
                var index = i;
                services.AddSingleton<IAcmeChallengeValidator>(sp => sp.GetRequiredService<AcmeValidatorSet>().Validators[index]);
            }
        }

        // Null (no CAA check) only when the operator turned it off; the protocol resolves it with GetService.
        services.TryAddSingleton<IAcmeCaaPolicy>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AcmeServerOptions>>().Value;
            if (!options.Validation.EnforceCaa)
            {
                if (sp.GetService<ILoggerFactory>()?.CreateLogger("Pki.Acme.Server.Caa") is { } logger)
                {
                    CaaOff(logger);
                }

                return null!;
            }

            return AcmeValidation.CreateCaaPolicy(ValidationOptions(options), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILoggerFactory>());
        });
    }

    /// <summary>The validation options with the server's CAA identities added: one list in the options serves meta and enforcement.</summary>
    private static AcmeServerValidationOptions ValidationOptions(AcmeServerOptions options)
    {
        var validation = options.Validation;
        foreach (var identity in options.CaaIdentities)
        {
            if (!validation.CaaIdentities.Contains(identity, StringComparer.OrdinalIgnoreCase))
            {
                validation.CaaIdentities.Add(identity);
            }
        }

        return validation;
    }

    private static EmbeddedCa CreateCa(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<AcmeServerOptions>>().Value;
        var mount = services.GetRequiredService<AcmeServerMount>();
        if (options.BaseUrl is null)
        {
            throw new AcmeCaConfigurationException(
                "AcmeServerOptions.BaseUrl is required by the embedded CA: its certificates carry the URLs of its intermediate and CRL (e.g. https://acme.example.com).");
        }

        if (mount.Prefix is null)
        {
            throw new InvalidOperationException("The embedded CA is created by app.MapAcmeServer(...), which fixes the URL prefix of its certificate and CRL links: map the server first.");
        }

        var ca = options.Ca;
        if (ca.StateDirectory is null && ca.PfxPath is null && ca.IntermediateCertificatePemPath is null)
        {
            ca.StateDirectory = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.DatabasePath))!, "ca");
        }

        var baseUrl = new Uri(options.BaseUrl.AbsoluteUri.TrimEnd('/') + mount.Prefix + "/");
        return EmbeddedCa.Create(
            ca,
            baseUrl,
            services.GetRequiredService<IAcmeRevocationSource>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger("Pki.Acme.Server.Ca"));
    }
}

/// <summary>The three validators built together.</summary>
internal sealed class AcmeValidatorSet(IReadOnlyList<IAcmeChallengeValidator> validators) : IDisposable
{
    public IReadOnlyList<IAcmeChallengeValidator> Validators { get; } = validators;

    public void Dispose()
    {
        foreach (var validator in Validators)
        {
            (validator as IDisposable)?.Dispose();
        }
    }
}

/// <summary>Where <c>MapAcmeServer</c> put the endpoints (the prefix, e.g. <c>/acme</c>), set once.</summary>
internal sealed class AcmeServerMount
{
    public string? Prefix { get; private set; }

    public void Set(string prefix)
    {
        if (Prefix is not null && Prefix != prefix)
        {
            throw new InvalidOperationException($"MapAcmeServer was already called with the prefix '{Prefix}'; one application serves one ACME server.");
        }

        Prefix = prefix;
    }
}
