using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pki.TestSupport;
using static Pki.Acme.Server.Tests.Validation.ValidationKnotFixture;

namespace Pki.Acme.Server.Tests.Validation;

[Collection(ValidationKnotCollection.Name)]
public sealed class RetryClockTests(ValidationKnotFixture knot)
{
    [Fact]
    public async Task The_delay_between_attempts_is_waited_on_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        var options = knot.Options(o =>
        {
            o.Http01Port = FreePorts.Tcp();
            o.Attempts = 2;
            o.RetryDelay = TimeSpan.FromMinutes(1);
            o.Timeout = TimeSpan.FromMinutes(5);
        });
        var validator = AcmeValidation.CreateValidators(options, time, NullLoggerFactory.Instance).Single(v => v.Type == "http-01");

        var validation = validator.ValidateAsync(Ip("127.0.0.1"), Token, KeyAuthorization, CancellationToken.None);
        var advances = 0;
        while (!validation.IsCompleted && advances < 100)
        {
            await Task.Delay(20);
            time.Advance(TimeSpan.FromSeconds(10));
            advances++;
        }

        var check = await validation;
        Assert.True(advances >= 6, $"a one-minute delay passed after {advances} ten-second advances of the fake clock");
        Assert.Equal(AcmeProblemTypes.Connection, check.Error!.Type);
        Assert.EndsWith("(after 2 attempts)", check.Error.Detail, StringComparison.Ordinal);
    }
}
