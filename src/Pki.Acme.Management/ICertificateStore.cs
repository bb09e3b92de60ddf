using System.Text.RegularExpressions;

namespace Pki.Acme.Management;

/// <summary>
/// Where account keys, certificate keys and chains live, shared by every instance that manages the
/// same certificates. The contract, in RFC 2119 words:
/// <list type="bullet">
/// <item>Keys are paths of segments of letters, digits, <c>.</c>, <c>-</c> and <c>_</c> separated by
/// <c>/</c> (<see cref="CertificateStoreKey.Validate"/>); implementations MUST reject others.</item>
/// <item><see cref="WriteAsync"/> MUST be atomic: a reader sees the old value or the new one, never a
/// mix, also when the process dies mid-write. Secret values MUST be readable by the owner only.</item>
/// <item><see cref="TryAcquireLeaseAsync"/> MUST give a lease to at most one owner at a time until it
/// expires or is released; an expired lease MAY be taken over by anyone.</item>
/// </list>
/// </summary>
public interface ICertificateStore
{
    /// <summary>Reads a value; null when there is none.</summary>
    Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Writes a value atomically; <paramref name="isSecret"/> marks private keys.</summary>
    Task WriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken);

    /// <summary>Deletes a value; false when there was none.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lease <paramref name="name"/> for <paramref name="owner"/> for <paramref name="duration"/>,
    /// taking over an expired one; null when someone else holds a live lease.
    /// </summary>
    Task<ICertificateStoreLease?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken);
}

/// <summary>A lease held on an <see cref="ICertificateStore"/>. Disposing releases it.</summary>
public interface ICertificateStoreLease : IAsyncDisposable
{
    /// <summary>The lease name.</summary>
    string Name { get; }

    /// <summary>The holder.</summary>
    string Owner { get; }

    /// <summary>Extends the lease by <paramref name="duration"/> from now; false when it was lost (expired and taken over).</summary>
    Task<bool> RenewAsync(TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Releases the lease if it is still held by <see cref="Owner"/>.</summary>
    Task ReleaseAsync(CancellationToken cancellationToken);
}

/// <summary>Store key rules.</summary>
public static class CertificateStoreKey
{
    private static readonly Regex Segment = new("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$", RegexOptions.CultureInvariant);

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="key"/> is not a store key (segments of <c>[A-Za-z0-9._-]</c>, not starting with <c>.</c> or <c>-</c>, joined by <c>/</c>).</summary>
    public static void Validate(string key, string paramName = "key")
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException("A store key must not be empty.", paramName);
        }

        foreach (var segment in key.Split('/'))
        {
            if (!Segment.IsMatch(segment))
            {
                throw new ArgumentException($"The store key '{key}' is invalid: every '/'-separated segment must be 1-128 letters, digits, '.', '-' or '_' and must not start with '.' or '-'.", paramName);
            }
        }
    }

    /// <summary>Checks the arguments of <see cref="ICertificateStore.TryAcquireLeaseAsync"/> for an implementation: a store key, an owner, a positive duration.</summary>
    /// <exception cref="ArgumentException">A bad name or an empty owner.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A duration that is not positive.</exception>
    public static void ValidateLease(string name, string owner, TimeSpan duration)
    {
        Validate(name, nameof(name));
        ArgumentException.ThrowIfNullOrEmpty(owner);
        if (duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A lease must last a positive time.");
        }
    }

    /// <summary>Throws <see cref="AcmeManagementConfigurationException"/> when <paramref name="name"/> cannot name a certificate, an issuer or a lease.</summary>
    public static void ValidateName(string? name, string what)
    {
        if (name is null || !Segment.IsMatch(name))
        {
            throw new AcmeManagementConfigurationException($"The {what} '{name}' is invalid: use 1-128 letters, digits, '.', '-' or '_', not starting with '.' or '-'.");
        }
    }
}
