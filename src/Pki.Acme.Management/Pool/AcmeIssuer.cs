using Pki.Ari;

namespace Pki.Acme.Management;

/// <summary>One CA of an <see cref="AcmeIssuerPool"/>: its settings, the <see cref="AcmeClient"/> that talks to it and the renewal planner that asks its ARI.</summary>
public sealed class AcmeIssuer
{
    /// <summary>Creates the issuer; the client must point at <paramref name="options"/>' directory.</summary>
    /// <exception cref="AcmeManagementConfigurationException">The options are invalid or the client talks to another directory.</exception>
    public AcmeIssuer(AcmeIssuerOptions options, AcmeClient client, RenewalPlanner? planner = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(client);
        options.Validate();
        if (client.DirectoryUri != options.DirectoryUri)
        {
            throw new AcmeManagementConfigurationException($"Issuer '{options.Name}': the AcmeClient talks to {client.DirectoryUri}, not to {options.DirectoryUri}.");
        }

        Options = options;
        Client = client;
        Planner = planner;
    }

    /// <summary>The issuer's name from <see cref="AcmeIssuerOptions.Name"/>: the key of its account in the store and the <c>Issuer</c> recorded with each certificate.</summary>
    public string Name => Options.Name;

    /// <summary>The settings this issuer was built from (validated; do not change them after the pool starts).</summary>
    public AcmeIssuerOptions Options { get; }

    /// <summary>The protocol client bound to this CA's directory; shared by every issuance at this CA and thread-safe.</summary>
    public AcmeClient Client { get; }

    /// <summary>The planner for certificates from this CA (asks its <c>renewalInfo</c>); the fallback share of the lifetime applies when null.</summary>
    public RenewalPlanner? Planner { get; }

    /// <inheritdoc />
    public override string ToString() => Options.ToString();
}
