using Pki.Chaos;
using Xunit.Abstractions;

namespace Pki.Acme.Redis.Tests;

/// <summary>
/// The short version of `Pki.Benchmarks -- chaos` (issue #11): two certificate managers on one store
/// (files, then Redis), three Pebbles behind fault proxies (one flapping between stalls and resets,
/// one killed and restarted, one healthy). Run on net10.0 only: it is a minute of real faults, and
/// the net8.0 leg runs the same library code through the other suites.
/// </summary>
#if NET10_0_OR_GREATER
public sealed class ChaosSoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_farm_of_two_under_faults_loses_duplicates_and_lets_expire_nothing()
    {
        var result = await ChaosSoak.RunAsync(new ChaosOptions
        {
            Duration = TimeSpan.FromSeconds(60),
            Certificates = 50,
            CertificateLifetime = TimeSpan.FromSeconds(30),
            Log = output.WriteLine,
        });

        output.WriteLine(result.ToString());
        Assert.True(result.Passed, result.ToString());
        Assert.Equal(100, result.Certificates);
        Assert.True(result.Renewals >= 50, $"the certificates should have renewed under the faults: {result}");
    }

    [Fact]
    public async Task Without_a_shared_store_the_soak_sees_duplicate_orders_and_lost_certificates()
    {
        // The negative control: the same run with a store per instance must fail, or the counts prove nothing.
        var result = await ChaosSoak.RunAsync(new ChaosOptions
        {
            Duration = TimeSpan.FromSeconds(24),
            Certificates = 10,
            CertificateLifetime = TimeSpan.FromSeconds(30),
            ShareStore = false,
            SettleTimeout = TimeSpan.FromSeconds(5),
            Log = output.WriteLine,
        });

        output.WriteLine(result.ToString());
        Assert.False(result.Passed);
        Assert.True(result.DuplicateOrders > 0, result.ToString());
        Assert.True(result.Lost > 0, result.ToString());
    }
}
#endif
