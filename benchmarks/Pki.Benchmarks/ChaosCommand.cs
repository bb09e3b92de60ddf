using System.Globalization;
using Pki.Chaos;

namespace Pki.Benchmarks;

/// <summary>
/// <c>chaos [--minutes N] [--certificates N] [--lifetime SECONDS]</c>: the chaos soak of
/// <see cref="ChaosSoak"/>; prints its one line and exits 1 unless nothing was lost, duplicated,
/// expired or failed in the store.
/// </summary>
internal static class ChaosCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var minutes = 10.0;
        var certificates = 50;
        var lifetime = 60;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--minutes" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && m > 0:
                    minutes = m;
                    i++;
                    break;
                case "--certificates" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c > 0:
                    certificates = c;
                    i++;
                    break;
                case "--lifetime" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l >= 20:
                    lifetime = l;
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"chaos: unknown or invalid argument '{args[i]}'. Usage: chaos [--minutes N] [--certificates N] [--lifetime SECONDS (>= 20)]");
                    return 2;
            }
        }

        var started = DateTimeOffset.UtcNow;
        var result = await ChaosSoak.RunAsync(new ChaosOptions
        {
            Duration = TimeSpan.FromMinutes(minutes),
            Certificates = certificates,
            CertificateLifetime = TimeSpan.FromSeconds(lifetime),
            Log = line => Console.WriteLine($"[{DateTimeOffset.UtcNow - started:mm\\:ss}] {line}"),
        });
        Console.WriteLine(result);
        return result.Passed ? 0 : 1;
    }
}
