using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pki.Caa;

namespace Pki.Smime.Tests;

public sealed class ServiceCollectionTests
{
    [Fact]
    public async Task The_pipeline_resolves_with_the_caa_evaluator_and_issues()
    {
        var zone = CaaZone.Parse("""
            $ORIGIN example.test.
            @ SOA ns1 hostmaster 1 3600 600 86400 120
            @ CAA 0 issuemail "ca.example.test"
            """);
        var services = new ServiceCollection()
            .AddSingleton<ICaaEvaluator>(new CaaEvaluator(new InMemoryCaaResolver(zone)))
            .AddSingleton<TimeProvider>(new FixedTime(TestPki.Now))
            .AddSmimeIssuance(o => o.DefaultValidity = TimeSpan.FromDays(90))
            .AddSmimeIssuance();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var pipeline = provider.GetRequiredService<SmimeIssuancePipeline>();
        var certificate = await pipeline.IssueAsync(TestPki.Request(TestPki.StrictMailbox), TestPki.Ca, CancellationToken.None);

        Assert.Equal(TestPki.Now.AddDays(90).AddSeconds(-1), certificate.NotAfter);
        Assert.Same(pipeline, provider.GetRequiredService<SmimeIssuancePipeline>());
    }

    [Fact]
    public void Invalid_options_fail_with_the_setting_named()
    {
        using var provider = new ServiceCollection().AddSmimeIssuance(o => o.DefaultValidity = TimeSpan.FromDays(900)).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<SmimeCertificateBuilder>());

        Assert.Contains("SmimeServiceOptions.DefaultValidity must be positive and at most 825 days", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_authorizer_the_pipeline_explains_what_is_missing()
    {
        using var provider = new ServiceCollection().AddSmimeIssuance().BuildServiceProvider();

        var ex = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<SmimeIssuancePipeline>());

        using var skipping = new ServiceCollection().AddSmimeIssuance(o => o.SkipIssueMailCheck = true).BuildServiceProvider();

        Assert.StartsWith("An IIssueMailAuthorizer is required", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(skipping.GetRequiredService<SmimeIssuancePipeline>());
    }
}
