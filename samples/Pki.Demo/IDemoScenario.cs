using System.CommandLine;

namespace Pki.Demo;

/// <summary>
/// One package's demo. Each package adds a class implementing this interface (in its own file);
/// <see cref="Program"/> finds it, adds its subcommand, and runs its offline part when the demo
/// is started with no arguments.
/// </summary>
internal interface IDemoScenario
{
    /// <summary>Order in the no-argument run (acme, ari, caa, smime, kt).</summary>
    int Order { get; }

    /// <summary>The subcommand (with its options, subcommands and action); System.CommandLine adds --help.</summary>
    Command CreateCommand();

    /// <summary>
    /// Runs the part of the scenario that needs no network beyond loopback and no arguments.
    /// Returns the process exit code (0 on success).
    /// </summary>
    Task<int> RunOfflineAsync(TextWriter output, CancellationToken cancellationToken);
}
