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
    public void Without_a_caa_evaluator_start_up_fails_naming_AddCaaEvaluator_and_the_skip_option()
    {
        using var provider = new ServiceCollection().AddSmimeIssuance().BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        var atFirstUse = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<SmimeIssuancePipeline>());

        Assert.Equal(typeof(SmimeServiceOptions), atStart.OptionsType);
        Assert.Equal(
            "AddSmimeIssuance() needs a CAA evaluator for the issuemail check (S/MIME BR section 4.2.2.1): call services.AddCaaEvaluator() "
            + "(package Pki.Caa) or register an IIssueMailAuthorizer; set SmimeServiceOptions.SkipIssueMailCheck = true only for a "
            + "technically constrained sub-CA (section 7.1.5).",
            atStart.Message);
        Assert.Equal(atStart.Message, atFirstUse.Message);
    }

    [Fact]
    public void Start_up_passes_with_AddCaaEvaluator_an_authorizer_or_the_check_skipped()
    {
        using var withCaa = new ServiceCollection().AddCaaEvaluator().AddSmimeIssuance().BuildServiceProvider();
        using var withAuthorizer = new ServiceCollection()
            .AddSmimeIssuance()
            .AddSingleton<IIssueMailAuthorizer>(new CaaIssueMailAuthorizer(new CaaEvaluator(new InMemoryCaaResolver(CaaZone.Parse("@ CAA 0 issuemail \"ca.example.test\"", "example.test")))))
            .BuildServiceProvider();
        using var skipping = new ServiceCollection().AddSmimeIssuance(o => o.SkipIssueMailCheck = true).BuildServiceProvider();

        foreach (var provider in new[] { withCaa, withAuthorizer, skipping })
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            Assert.NotNull(provider.GetRequiredService<SmimeIssuancePipeline>());
        }
    }
}
