using Pki.TestSupport;
using Xunit.Abstractions;

namespace Pki.TestSupport.Tests;

public sealed class AcmeCliExternalAccountBindingTests(EabPebbleFixture fixture, ITestOutputHelper output) : IClassFixture<EabPebbleFixture>
{
    private AcmeCliOptions Eab(string macKey) => fixture.ClientOptions(output) with
    {
        ExternalAccountKeyId = EabPebbleFixture.KeyId,
        ExternalAccountMacKey = macKey,
    };

    // The same length and alphabet as the real key, so only the MAC is wrong.
    private static readonly string WrongKey = new string(EabPebbleFixture.MacKey.Reverse().ToArray());

    [Fact]
    public async Task Certbot_registers_with_eab_and_a_wrong_key_fails_without_the_key_in_the_message()
    {
        using (var certbot = new CertbotClient(Eab(EabPebbleFixture.MacKey)))
        {
            var domains = new[] { AcmeCliPebbleFixture.UniqueName("certbot-eab") };
            using var issued = await certbot.ObtainAsync(domains, fixture.Pebble.HttpPort);
            CertbotClientTests.AssertIssuedFor(issued, domains);
        }

        using var wrong = new CertbotClient(Eab(WrongKey));
        var ex = await Assert.ThrowsAsync<AcmeCliException>(() => wrong.ObtainAsync([AcmeCliPebbleFixture.UniqueName("certbot-eab-bad")], fixture.Pebble.HttpPort));
        output.WriteLine(ex.Message);
        Assert.DoesNotContain(WrongKey, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(EabPebbleFixture.MacKey, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lego_registers_with_eab_and_a_wrong_key_fails_without_the_key_in_the_message()
    {
        using (var lego = new LegoClient(Eab(EabPebbleFixture.MacKey)))
        {
            var domains = new[] { AcmeCliPebbleFixture.UniqueName("lego-eab") };
            using var issued = await lego.ObtainAsync(domains, fixture.Pebble.HttpPort);
            CertbotClientTests.AssertIssuedFor(issued, domains);
        }

        using var wrong = new LegoClient(Eab(WrongKey));
        var ex = await Assert.ThrowsAsync<AcmeCliException>(() => wrong.ObtainAsync([AcmeCliPebbleFixture.UniqueName("lego-eab-bad")], fixture.Pebble.HttpPort));
        output.WriteLine(ex.Message);
        Assert.DoesNotContain(WrongKey, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(EabPebbleFixture.MacKey, ex.Message, StringComparison.Ordinal);
    }
}
