using System.Globalization;
using System.Text;

namespace Pki.Acme.Management;

/// <summary>Settings of a <see cref="FileSystemCertificateStore"/>.</summary>
public sealed class FileSystemCertificateStoreOptions
{
    /// <summary>The directory that holds the store (created when missing, owner-only on Unix).</summary>
    public string? Path { get; set; }
}

/// <summary>
/// A store in a directory, safe to share between processes on one machine. Every write goes to a
/// temporary file in the same directory, is flushed to disk, then renamed over the target, and the
/// directory is flushed, so a reader or a restarted process sees the old value or the new one. Secret
/// files are created with mode 0600 on Unix in the system call that creates them, and directories
/// with 0700, on every target framework (the netstandard2.1 asset calls libc). Leases are files
/// holding a fencing token, the owner and the expiry; an expired one is taken over inside a
/// per-lease OS lock (see <see cref="ICertificateStoreLease"/>: fenced, compare-and-swap
/// on a token that only grows), so exactly one contender wins, and a holder that lost its lease can
/// neither extend, release nor write under it. The locks need a local file system (or one whose
/// <c>flock</c> is coherent across machines).
/// </summary>
public sealed class FileSystemCertificateStore : ICertificateStore
{
    private const string LeaseDirectory = "leases";
    private readonly string _root;
    private readonly TimeProvider _time;

    /// <summary>Creates the store over <paramref name="options"/>.<see cref="FileSystemCertificateStoreOptions.Path"/>.</summary>
    /// <exception cref="AcmeManagementConfigurationException">No path was given.</exception>
    public FileSystemCertificateStore(FileSystemCertificateStoreOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new AcmeManagementConfigurationException("FileSystemCertificateStoreOptions.Path is required: the directory that keeps account keys, certificate keys and chains.");
        }

        _root = System.IO.Path.GetFullPath(options.Path);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates the store in <paramref name="path"/>.</summary>
    public FileSystemCertificateStore(string path, TimeProvider? timeProvider = null)
        : this(new FileSystemCertificateStoreOptions { Path = path }, timeProvider)
    {
    }

    /// <summary>The full path of the store directory.</summary>
    public string RootPath => _root;

    /// <inheritdoc />
    public async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
#if NET8_0_OR_GREATER
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
#else
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 4096, useAsync: true);
            var buffer = new byte[stream.Length];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return read == buffer.Length ? buffer : buffer.AsSpan(0, read).ToArray();
#endif
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CertificateStoreException($"Reading '{key}' from the store at '{_root}' failed: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async Task WriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            EnsureDirectory(System.IO.Path.GetDirectoryName(path)!);
            await WriteAtomicallyAsync(path, value, isSecret, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CertificateStoreException($"Writing '{key}' to the store at '{_root}' failed: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            if (!File.Exists(path))
            {
                return Task.FromResult(false);
            }

            File.Delete(path);
            return Task.FromResult(true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CertificateStoreException($"Deleting '{key}' from the store at '{_root}' failed: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async Task<ICertificateStoreLease?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        CertificateStoreKey.ValidateLease(name, owner, duration);
        if (owner.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("A lease owner must be one line.", nameof(owner));
        }

        var path = LeasePath(name);
        try
        {
            using var mutex = await LockAsync(path, cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var current = ReadLease(path);
            if (current is { } held && held.Owner.Length > 0 && held.ExpiresAt > now)
            {
                return null;
            }

            // Free, released or expired: the next token is greater than every token granted before.
            RemoveLeftovers(path);
            var token = (current?.Token ?? 0) + 1;
            await WriteAtomicallyAsync(path, Encoding.UTF8.GetBytes(Format(token, owner, now + duration)), isSecret: false, cancellationToken).ConfigureAwait(false);
            return new Lease(this, name, owner, token);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CertificateStoreException($"Taking the lease '{name}' in the store at '{_root}' failed: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Holds the lease's mutex: an exclusive lock on <c>NAME.lock.mutex</c> (a share-none open, which
    /// .NET maps to <c>flock(LOCK_EX)</c> on Unix and to a sharing violation on Windows). The OS drops
    /// it when the process dies, so a crash never leaves it held. Every read-decide-write of a lease,
    /// and every write made under a lease, happens inside it: that is what makes them compare-and-swap.
    /// Held for the length of one small write; contenders retry every millisecond for up to
    /// <see cref="MutexWait"/>.
    /// </summary>
    private static async Task<FileStream> LockAsync(string leasePath, CancellationToken cancellationToken)
    {
        EnsureDirectory(System.IO.Path.GetDirectoryName(leasePath)!);
        var mutexPath = leasePath + ".mutex";
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return new FileStream(mutexPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException ex) when (File.Exists(mutexPath))
            {
                if (waited.Elapsed > MutexWait)
                {
                    throw new CertificateStoreException($"The lease mutex '{mutexPath}' stayed locked for {MutexWait.TotalSeconds:0} s: {ex.Message}", ex);
                }
            }

            // The lock is held for one small write by another thread or process: a 1 ms pause on the
            // real clock (a spin, not a schedule; the injected clock may be a test's frozen one).
            await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How long a lease operation waits for another one on the same lease (10 s) before it fails.</summary>
    private static readonly TimeSpan MutexWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Called by a new holder, inside the mutex: deletes the temporary files a process killed mid-write
    /// of this lease left beside it. Nobody else writes the lease while the mutex is held, so every
    /// such file is dead.
    /// </summary>
    private static void RemoveLeftovers(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path)!;
        var prefix = System.IO.Path.GetFileName(path) + ".tmp-";
        try
        {
            foreach (var file in Directory.GetFiles(directory, prefix + "*"))
            {
                TryDelete(file);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: readers ignore leftovers.
        }
    }

    // The lease file: "v2", the fencing token, the expiry in UTC ticks and the owner, one per line.
    // A released lease keeps its token with no owner, so the next grant still counts up from it.
    private static string Format(long token, string owner, DateTimeOffset expiresAt) =>
        "v2\n" + token.ToString(CultureInfo.InvariantCulture) + "\n" + expiresAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "\n" + owner;

    private static LeaseRecord? ReadLease(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var lines = text.Split('\n');
        if (lines.Length == 4 && lines[0] == "v2"
            && long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var token)
            && long.TryParse(lines[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTimeOffset.MaxValue.UtcTicks)
        {
            return new LeaseRecord(token, lines[3], new DateTimeOffset(ticks, TimeSpan.Zero));
        }

        // Unreadable (an older format, or damaged by hand): treated as expired, its token as 0.
        return new LeaseRecord(0, string.Empty, DateTimeOffset.MinValue);
    }

    private readonly record struct LeaseRecord(long Token, string Owner, DateTimeOffset ExpiresAt);

    private string LeasePath(string name) => System.IO.Path.Combine(_root, LeaseDirectory, name.Replace('/', '_') + ".lock");

    private string PathOf(string key)
    {
        CertificateStoreKey.Validate(key);
        var path = System.IO.Path.Combine(_root, "data", key.Replace('/', System.IO.Path.DirectorySeparatorChar));
        return path;
    }

    private static void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        // Each missing level is created private, not only the last one.
        var parent = System.IO.Path.GetDirectoryName(directory);
        if (parent is not null && !Directory.Exists(parent))
        {
            EnsureDirectory(parent);
        }

#if NET8_0_OR_GREATER
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return;
        }
#else
        if (UnixFileSystem.IsSupported)
        {
            UnixFileSystem.CreateDirectory(directory, Convert.ToInt32("700", 8));
            return;
        }
#endif
        Directory.CreateDirectory(directory);
    }

    /// <summary>Temp file in the same directory, written and flushed to disk, renamed over the target, then the directory flushed.</summary>
    private static async Task WriteAtomicallyAsync(string path, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            await WriteFileAsync(temporary, value, isSecret, cancellationToken).ConfigureAwait(false);
#if NET8_0_OR_GREATER
            File.Move(temporary, path, overwrite: true);
#else
            if (File.Exists(path))
            {
                File.Replace(temporary, path, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temporary, path);
            }
#endif
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        UnixFileSystem.FlushDirectory(System.IO.Path.GetDirectoryName(path)!);
    }

    private static async Task WriteFileAsync(string path, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken)
    {
        using var stream = CreateNew(path, isSecret);
        await stream.WriteAsync(value, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        stream.Flush(flushToDisk: true);
    }

    private static FileStream CreateNew(string path, bool isSecret)
    {
        // The mode applies at creation, so a secret is never readable by others, not even briefly.
#if NET8_0_OR_GREATER
        if (!OperatingSystem.IsWindows())
        {
            var mode = isSecret ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            return new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = mode, Options = FileOptions.Asynchronous });
        }
#else
        if (UnixFileSystem.IsSupported)
        {
            return UnixFileSystem.CreateNew(path, Convert.ToInt32(isSecret ? "600" : "644", 8));
        }
#endif
        return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary file is ignored by readers.
        }
    }

    private sealed class Lease(FileSystemCertificateStore store, string name, string owner, long token) : ICertificateStoreLease
    {
        public string Name => name;

        public string Owner => owner;

        public long Token => token;

        public Task<bool> RenewAsync(TimeSpan duration, CancellationToken cancellationToken)
        {
            if (duration <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(duration), duration, "A lease must last a positive time.");
            }

            return UnderLeaseAsync("Renewing the lease", path => WriteAtomicallyAsync(path, Encoding.UTF8.GetBytes(Format(token, owner, store._time.GetUtcNow() + duration)), isSecret: false, cancellationToken), cancellationToken);
        }

        public Task ReleaseAsync(CancellationToken cancellationToken) =>
            UnderLeaseAsync("Releasing the lease", path => WriteAtomicallyAsync(path, Encoding.UTF8.GetBytes(Format(token, string.Empty, DateTimeOffset.MinValue)), isSecret: false, cancellationToken), cancellationToken);

        public Task<bool> TryWriteAsync(string key, ReadOnlyMemory<byte> value, bool isSecret, CancellationToken cancellationToken)
        {
            var target = store.PathOf(key);
            return UnderLeaseAsync($"Writing '{key}' under the lease", _ =>
            {
                EnsureDirectory(System.IO.Path.GetDirectoryName(target)!);
                return WriteAtomicallyAsync(target, value, isSecret, cancellationToken);
            }, cancellationToken);
        }

        public async ValueTask DisposeAsync() => await ReleaseAsync(CancellationToken.None).ConfigureAwait(false);

        /// <summary>Runs <paramref name="action"/> inside the lease mutex when the lease still carries this grant's token and owner; false otherwise.</summary>
        private async Task<bool> UnderLeaseAsync(string what, Func<string, Task> action, CancellationToken cancellationToken)
        {
            var path = store.LeasePath(name);
            try
            {
                using var mutex = await LockAsync(path, cancellationToken).ConfigureAwait(false);
                if (ReadLease(path) is not { } held || held.Token != token || held.Owner != owner)
                {
                    return false;
                }

                // Expired but not taken over (the token is still ours): nobody else can have written.
                await action(path).ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CertificateStoreException($"{what} '{name}' in the store at '{store._root}' failed: {ex.Message}", ex);
            }
        }
    }
}
