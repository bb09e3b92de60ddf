namespace Pki.Acme.Management;

/// <summary>
/// What one <see cref="CertificateManager"/> knows about one managed certificate: the certificate it
/// serves, when it is due, and its failure and backoff state. Mutated under <see cref="Gate"/>, except
/// <see cref="Current"/>, which Kestrel's handshake callback reads without it.
/// </summary>
internal sealed class CertificateEntry(ManagedCertificateOptions options)
{
    private volatile ManagedCertificate? _current;

    public ManagedCertificateOptions Options { get; } = options;

    public string Name => Options.Name;

    /// <summary>One attempt at a time per certificate on this instance.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Read without the gate by Kestrel's handshake callback: volatile.</summary>
    public ManagedCertificate? Current
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>The order URL of the stored record <see cref="Current"/> came from: a different one in the store means another instance replaced it.</summary>
    public string? StoredOrderUri { get; set; }

    public DateTimeOffset? RenewAt { get; set; }

    public string? RenewalExplanation { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? LastErrorAt { get; set; }

    public Exception? LastException { get; set; }

    /// <summary>Consecutive failed or unproductive attempts.</summary>
    public int Failures { get; set; }

    /// <summary>No attempt before this time (unless forced).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
}
