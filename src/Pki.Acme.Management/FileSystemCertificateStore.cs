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
/// A store in a directory, safe to share between processes on one machine (or on a shared file
/// system with atomic rename). Every write goes to a temporary file in the same directory, is
/// flushed to disk, then renamed over the target, so a reader or a restarted process sees the old
/// value or the new one. Secret files are created with mode 0600 on Unix before any byte is written,
/// and directories with 0700. Leases are lock files holding the owner and the expiry; an expired one
/// is taken over by renaming it away first, so exactly one contender wins.
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
            await WriteAtomicallyAsync(path, value, isSecret, overwrite: true, cancellationToken).ConfigureAwait(false);
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

        var path = LeasePath(name);
        EnsureDirectory(System.IO.Path.GetDirectoryName(path)!);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // The lock file appears complete or not at all: written aside, then linked into place
            // without overwriting (File.Move fails when the target exists), so one contender wins.
            var candidate = path + ".new-" + Guid.NewGuid().ToString("N");
            await WriteFileAsync(candidate, Encoding.UTF8.GetBytes(Format(owner, _time.GetUtcNow() + duration)), isSecret: false, cancellationToken).ConfigureAwait(false);
            try
            {
                File.Move(candidate, path);
                RemoveLeftovers(path, owner);
                return new Lease(this, name, owner);
            }
            catch (IOException) when (File.Exists(path))
            {
                TryDelete(candidate);
            }
            catch
            {
                TryDelete(candidate);
                throw;
            }

            var current = ReadLease(path);
            if (current is { } held && held.ExpiresAt > _time.GetUtcNow())
            {
                return null;
            }

            // Stale (or unreadable): move it aside; if what was moved turns out to be a fresh lease
            // that a faster contender just created, put it back and give up.
            var aside = path + ".stale-" + Guid.NewGuid().ToString("N");
            try
            {
                File.Move(path, aside);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // someone else moved it first
            }

            if (ReadLease(aside) is { } moved && moved.ExpiresAt > _time.GetUtcNow())
            {
                try
                {
                    File.Move(aside, path);
                }
                catch (IOException)
                {
                    TryDelete(aside);
                }

                return null;
            }

            TryDelete(aside);
        }

        return null;
    }

    /// <summary>
    /// Called by a new holder: deletes what crashed processes left beside the lock file. A renewal
    /// or candidate file of another owner is dead once this owner holds the lock (removing it also
    /// keeps a former holder's late rename from clobbering the new lease); a moved-aside file is
    /// removed only when the lease it holds has expired, since a contender may be putting it back.
    /// A file that cannot be parsed yet is left for a minute, as a writer may still be filling it.
    /// </summary>
    private void RemoveLeftovers(string path, string owner)
    {
        var directory = System.IO.Path.GetDirectoryName(path)!;
        var prefix = System.IO.Path.GetFileName(path) + ".";
        var now = _time.GetUtcNow();
        IEnumerable<string> files;
        try
        {
            files = Directory.GetFiles(directory, prefix + "*");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var file in files)
        {
            var fileName = System.IO.Path.GetFileName(file);
            if (fileName.Length <= prefix.Length || !fileName.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue; // the search pattern "name.*" also matches "name" itself
            }

            var suffix = fileName[prefix.Length..];
            var aside = suffix.StartsWith("stale-", StringComparison.Ordinal);
            if (!aside && !suffix.StartsWith("tmp-", StringComparison.Ordinal) && !suffix.StartsWith("new-", StringComparison.Ordinal))
            {
                continue;
            }

            var remove = ReadLease(file) switch
            {
                { } lease when aside => lease.ExpiresAt <= now,
                { } lease => lease.Owner != owner || lease.ExpiresAt <= now,
                null => IsOlderThanAMinute(file),
            };
            if (remove)
            {
                TryDelete(file);
            }
        }
    }

    private static bool IsOlderThanAMinute(string file)
    {
        try
        {
            return File.GetLastWriteTimeUtc(file) < DateTime.UtcNow.AddMinutes(-1);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string Format(string owner, DateTimeOffset expiresAt) =>
        expiresAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "\n" + owner;

    private static (string Owner, DateTimeOffset ExpiresAt)? ReadLease(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            if (newline > 0 && long.TryParse(text.AsSpan(0, newline), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                return (text[(newline + 1)..], new DateTimeOffset(ticks, TimeSpan.Zero));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone or being replaced.
        }

        return null;
    }

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
#endif
        Directory.CreateDirectory(directory);
    }

    private static async Task WriteAtomicallyAsync(string path, ReadOnlyMemory<byte> value, bool isSecret, bool overwrite, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            await WriteFileAsync(temporary, value, isSecret, cancellationToken).ConfigureAwait(false);

#if NET8_0_OR_GREATER
            File.Move(temporary, path, overwrite);
#else
            if (overwrite && File.Exists(path))
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
#if NET8_0_OR_GREATER
        if (!OperatingSystem.IsWindows())
        {
            // The mode applies at creation, so the secret is never readable by others, not even briefly.
            var mode = isSecret ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            return new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = mode, Options = FileOptions.Asynchronous });
        }
#endif
        _ = isSecret; // netstandard2.1: the directory (0700 on .NET 8+) is the protection; umask applies.
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

    private sealed class Lease(FileSystemCertificateStore store, string name, string owner) : ICertificateStoreLease
    {
        public string Name => name;

        public string Owner => owner;

        public async Task<bool> RenewAsync(TimeSpan duration, CancellationToken cancellationToken)
        {
            var path = store.LeasePath(name);
            if (ReadLease(path) is not { } held || held.Owner != owner)
            {
                return false;
            }

            try
            {
                await WriteAtomicallyAsync(path, Encoding.UTF8.GetBytes(Format(owner, store._time.GetUtcNow() + duration)), isSecret: false, overwrite: true, cancellationToken).ConfigureAwait(false);
            }
            catch (FileNotFoundException)
            {
                return false; // a new holder removed this renewal as a leftover: the lease was taken over
            }

            return true;
        }

        public Task ReleaseAsync(CancellationToken cancellationToken)
        {
            var path = store.LeasePath(name);
            if (ReadLease(path) is { } held && held.Owner == owner)
            {
                TryDelete(path);
            }

            return Task.CompletedTask;
        }

        public async ValueTask DisposeAsync() => await ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
