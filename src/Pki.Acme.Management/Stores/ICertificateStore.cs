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
/// expires or is released; an expired lease MAY be taken over by anyone. Every grant of a lease name
/// MUST carry a fencing token (<see cref="ICertificateStoreLease.Token"/>) greater than every token
/// granted for that name before.</item>
/// <item><see cref="ICertificateStoreLease.RenewAsync"/>, <see cref="ICertificateStoreLease.ReleaseAsync"/>
/// and <see cref="ICertificateStoreLease.TryWriteAsync"/> MUST be compare-and-swap on the token: they
/// take effect only while the lease still carries the holder's token, atomically with that check, so a
/// holder that lost its lease (paused, partitioned, slow) can never overwrite, extend or delete the
/// new holder's lease or what it writes under it.</item>
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
    /// taking over an expired one; null when someone else holds a live lease. Contention is not an
    /// error: only a store that cannot be read or written throws (<see cref="CertificateStoreException"/>).
    /// </summary>
    Task<ICertificateStoreLease?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken);
}

/// <summary>A lease held on an <see cref="ICertificateStore"/>. Disposing releases it.</summary>
public interface ICertificateStoreLease : IAsyncDisposable
{
    /// <summary>The lease name as given to <see cref="ICertificateStore.TryAcquireLeaseAsync"/> (one lease per managed certificate).</summary>
    string Name { get; }

    /// <summary>The owner given when acquiring: an instance identifier, shown in logs and the store for diagnosis.</summary>
    string Owner { get; }

    /// <summary>
    /// The fencing token of this grant: greater than the token of every earlier grant of the same
    /// lease name, so "who holds it now" is a comparison of numbers, never of clocks.
    /// </summary>
    long Token { get; }

    /// <summary>
    /// Extends the lease by <paramref name="duration"/> from now, only while it still carries
    /// <see cref="Token"/>; false when it was lost (expired and taken over, or released).
    /// </summary>
    Task<bool> RenewAsync(TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Releases the lease, only while it still carries <see cref="Token"/>; a lost lease is left alone.</summary>
    Task ReleaseAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="value"/> at <paramref name="key"/> (atomically, as
    /// <see cref="ICertificateStore.WriteAsync"/>) only while the lease still carries <see cref="Token"/>,
    /// checked atomically with the write; false, with nothing written, when the lease was lost.
    /// </summary>
    Task<bool> TryWriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken);
}

/// <summary>
/// The rules every store key follows, so that each store maps keys safely (file paths, Redis keys):
/// segments of <c>[A-Za-z0-9._-]</c> joined by <c>/</c>, no segment starting with <c>.</c> or <c>-</c>.
/// </summary>
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
