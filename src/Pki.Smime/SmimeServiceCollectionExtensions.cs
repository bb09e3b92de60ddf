using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Caa;
using Pki.Smime;
using Pki.Smime.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Settings of <see cref="SmimeServiceCollectionExtensions.AddSmimeIssuance"/>.</summary>
public sealed class SmimeServiceOptions
{
    /// <summary>Validity when a request gives none (default 365 days; at most 825, or 1185 with Legacy allowed).</summary>
    public TimeSpan DefaultValidity { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Allow Legacy-generation profiles (historic or test material only; SMC08).</summary>
    public bool AllowLegacyGeneration { get; set; }

    /// <summary>
    /// Skip the CAA issuemail check (technically constrained sub-CAs only, section 7.1.5). When false (the default),
    /// start-up fails unless <c>AddCaaEvaluator()</c> or an <see cref="IIssueMailAuthorizer"/> is registered.
    /// </summary>
    public bool SkipIssueMailCheck { get; set; }
}

/// <summary>Registers the S/MIME builder and issuance pipeline.</summary>
public static class SmimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SmimeCertificateBuilder"/> and <see cref="SmimeIssuancePipeline"/> as singletons.
    /// The pipeline's CAA check uses a registered <see cref="IIssueMailAuthorizer"/>, else a registered
    /// <c>Pki.Caa</c> <see cref="ICaaEvaluator"/> (see <c>AddCaaEvaluator</c>) through
    /// <see cref="CaaIssueMailAuthorizer"/>. Options are validated at start-up, including that one of the two is
    /// registered unless <see cref="SmimeServiceOptions.SkipIssueMailCheck"/> is set; a missing one fails with an
    /// <see cref="OptionsValidationException"/> that names <c>AddCaaEvaluator()</c>. Calling it again only adds
    /// the configuration.
    /// </summary>
    /// <param name="services">The application's services; an <see cref="IIssueMailAuthorizer"/> or <see cref="ICaaEvaluator"/> must be registered unless the CAA check is skipped.</param>
    /// <param name="configure">Builder and pipeline settings.</param>
    public static IServiceCollection AddSmimeIssuance(this IServiceCollection services, Action<SmimeServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SmimeServiceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(
            o => o.DefaultValidity > TimeSpan.Zero && o.DefaultValidity <= TimeSpan.FromDays(o.AllowLegacyGeneration ? 1185 : 825),
            "SmimeServiceOptions.DefaultValidity must be positive and at most 825 days (1185 with AllowLegacyGeneration), section 6.3.2.")
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmimeServiceOptions>, SmimeIssueMailCheckValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<SmimeServiceOptions>>().Value;
            return new SmimeCertificateBuilder(
                new SmimeBuilderOptions { DefaultValidity = settings.DefaultValidity, AllowLegacyGeneration = settings.AllowLegacyGeneration },
                sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<SmimeServiceOptions>>().Value;
            var authorizer = sp.GetService<IIssueMailAuthorizer>()
                ?? (sp.GetService<ICaaEvaluator>() is { } evaluator ? new CaaIssueMailAuthorizer(evaluator) : null);
            return new SmimeIssuancePipeline(
                sp.GetRequiredService<SmimeCertificateBuilder>(),
                authorizer,
                new SmimeIssuanceOptions { SkipIssueMailCheck = settings.SkipIssueMailCheck },
                sp.GetService<ILogger<SmimeIssuancePipeline>>());
        });
        return services;
    }
}
