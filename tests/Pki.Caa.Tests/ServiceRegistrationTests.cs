using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Pki.Caa.Tests;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public async Task Registers_the_evaluator_and_keeps_a_resolver_registered_before()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ICaaResolver>(TestZones.InMemory());
        services.AddCaaEvaluator(o => o.MaxAliasHops = 4);
        services.AddCaaEvaluator();
        using var provider = services.BuildServiceProvider(validateScopes: true);

        var evaluator = provider.GetRequiredService<ICaaEvaluator>();
        var decision = await evaluator.EvaluateAsync(new CaaCheck("permit.example.test", "ca.example"));

        Assert.IsType<InMemoryCaaResolver>(provider.GetRequiredService<ICaaResolver>());
        Assert.Equal(CaaVerdict.Permitted, decision.Verdict);
        Assert.Equal(4, provider.GetRequiredService<IOptions<CaaEvaluatorOptions>>().Value.MaxAliasHops);
        Assert.Single(services, d => d.ServiceType == typeof(ICaaEvaluator));
    }

    [Fact]
    public void Registers_the_DNS_resolver_by_default()
    {
        var services = new ServiceCollection().AddCaaEvaluator(configureDns: o => o.NameServers.Add("127.0.0.1:5353"));
        using var provider = services.BuildServiceProvider();

        Assert.IsType<DnsCaaResolver>(provider.GetRequiredService<ICaaResolver>());
    }

    [Theory]
    [InlineData("not-an-ip", "The name server 'not-an-ip' is not an IP address")]
    [InlineData("127.0.0.1:0", "The name server '127.0.0.1:0' has a bad port '0'")]
    [InlineData("[::1", "opens '[' without ']'")]
    [InlineData("[::1]x", "has a bad port 'x'")]
    public void Invalid_DNS_options_fail_at_start_naming_the_value(string server, string message)
    {
        var services = new ServiceCollection().AddCaaEvaluator(configureDns: o => o.NameServers.Add(server));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_evaluator_options_fail_at_start()
    {
        var services = new ServiceCollection().AddCaaEvaluator(o => o.MaxAliasHops = 0, o => o.Timeout = TimeSpan.Zero);
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<AggregateException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("MaxAliasHops is 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Timeout is 00:00:00", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1:53")]
    [InlineData("192.0.2.1:5353", "192.0.2.1:5353")]
    [InlineData("[2001:db8::1]:53", "[2001:db8::1]:53")]
    [InlineData("2001:db8::1", "[2001:db8::1]:53")]
    public void Parses_name_servers(string text, string endpoint)
    {
        Assert.Equal(endpoint, DnsCaaResolverOptions.ParseNameServer(text).ToString());
    }

    [Fact]
    public void The_DNS_resolver_refuses_invalid_options()
    {
        var options = new DnsCaaResolverOptions { Retries = 11 };

        Assert.Contains("Retries is 11", Assert.Throws<ArgumentException>(() => new DnsCaaResolver(options)).Message, StringComparison.Ordinal);
    }
}
