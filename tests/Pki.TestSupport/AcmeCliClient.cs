namespace Pki.TestSupport;

/// <summary>What the certbot and lego harnesses share: their options, a temporary directory of their own, and the domain check.</summary>
public abstract class AcmeCliClient : IDisposable
{
    private readonly TempDirectory _directory = new();

    /// <summary>Creates the client and its temporary directory.</summary>
    protected AcmeCliClient(AcmeCliOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The temporary directory the tool keeps its account, keys and certificates in.</summary>
    public string Directory => _directory.Path;

    /// <summary>How the tool is run.</summary>
    protected AcmeCliOptions Options { get; }

    /// <summary>Removes the temporary directory (account, keys, certificates).</summary>
    public void Dispose()
    {
        _directory.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Throws unless <paramref name="domains"/> names at least one domain.</summary>
    protected static void RequireDomains(IReadOnlyList<string> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        if (domains.Count == 0)
        {
            throw new ArgumentException("Give at least one domain.", nameof(domains));
        }
    }
}
