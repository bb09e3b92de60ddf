using System.CommandLine;

namespace Pki.Demo;

/// <summary>
/// Entry point: <c>dotnet run --project samples/Pki.Demo [scenario] [options]</c>.
/// With no arguments every scenario's offline part runs in turn.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var scenarios = DiscoverScenarios();
        var root = new RootCommand(
            "Pki demo. With no arguments, runs every offline scenario; each subcommand shows one package (--help for its options).");
        foreach (var scenario in scenarios)
        {
            root.Subcommands.Add(scenario.CreateCommand());
        }

        root.SetAction(async (_, cancellationToken) => await RunAllOfflineAsync(scenarios, cancellationToken));
        return await root.Parse(args).InvokeAsync();
    }

    internal static IReadOnlyList<IDemoScenario> DiscoverScenarios() =>
        typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IDemoScenario).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .Select(t => (IDemoScenario)Activator.CreateInstance(t, nonPublic: true)!)
            .OrderBy(s => s.Order)
            .ToList();

    private static async Task<int> RunAllOfflineAsync(IReadOnlyList<IDemoScenario> scenarios, CancellationToken cancellationToken)
    {
        var output = Console.Out;
        if (scenarios.Count == 0)
        {
            await output.WriteLineAsync("No scenarios are built into this demo yet.");
            return 0;
        }

        var failures = 0;
        foreach (var scenario in scenarios)
        {
            var name = scenario.CreateCommand().Name;
            await output.WriteLineAsync($"== {name} ==");
            var code = await scenario.RunOfflineAsync(output, cancellationToken);
            if (code != 0)
            {
                failures++;
                await output.WriteLineAsync($"{name}: exit code {code}");
            }

            await output.WriteLineAsync();
        }

        return failures == 0 ? 0 : 1;
    }
}
