using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pki.Acme.Management;

/// <summary>
/// The three POSIX calls the file store needs and .NET does not offer on every target: create a file
/// or a directory with its final mode in the same system call (so a secret is never readable by
/// others, not even briefly, whatever the umask grants), and flush a directory so that a rename in it
/// survives a power loss. On .NET 8 and later the file and directory modes come from the managed APIs
/// (<c>UnixCreateMode</c>, <c>Directory.CreateDirectory(path, mode)</c>); the netstandard2.1 asset
/// (.NET Core 3.1 to 7, Mono, Unity) calls libc. Linux and macOS only; other systems fall back to
/// the managed calls, where the directory's mode is the protection.
/// </summary>
internal static class UnixFileSystem
{
    private static readonly bool IsLinux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
    private static readonly bool IsMacOs = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);

    /// <summary>True where the libc calls below are available.</summary>
    public static bool IsSupported => IsLinux || IsMacOs;

    /// <summary>Creates <paramref name="path"/> (it must not exist) for writing with <paramref name="mode"/> (e.g. 0600).</summary>
    /// <exception cref="IOException">The file exists or cannot be created; the message carries errno.</exception>
    public static FileStream CreateNew(string path, int mode)
    {
        // O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC: Linux and macOS number them differently.
        var flags = IsLinux ? 0x1 | 0x40 | 0x80 | 0x80000 : 0x1 | 0x200 | 0x800 | 0x1000000;
        var fd = IsLinux ? Linux.open(path, flags, mode) : Mac.open(path, flags, mode);
        if (fd < 0)
        {
            throw Error("Creating the file", path);
        }

        return new FileStream(new SafeFileHandle((IntPtr)fd, ownsHandle: true), FileAccess.Write, 4096, isAsync: false);
    }

    /// <summary>Creates the directory <paramref name="path"/> with <paramref name="mode"/> (e.g. 0700); an existing one is left as it is.</summary>
    public static void CreateDirectory(string path, int mode)
    {
        var result = IsLinux ? Linux.mkdir(path, (uint)mode) : Mac.mkdir(path, (ushort)mode);
        if (result != 0 && !Directory.Exists(path))
        {
            throw Error("Creating the directory", path);
        }
    }

    /// <summary>Flushes <paramref name="directory"/> to disk, so a rename into it is durable (best effort: some file systems refuse).</summary>
    public static void FlushDirectory(string directory)
    {
        if (!IsSupported)
        {
            return;
        }

        // O_RDONLY | O_CLOEXEC (O_DIRECTORY is not needed to fsync).
        var fd = IsLinux ? Linux.open(directory, 0x80000, 0) : Mac.open(directory, 0x1000000, 0);
        if (fd < 0)
        {
            return;
        }

        try
        {
            _ = IsLinux ? Linux.fsync(fd) : Mac.fsync(fd);
        }
        finally
        {
            _ = IsLinux ? Linux.close(fd) : Mac.close(fd);
        }
    }

    private static IOException Error(string what, string path)
    {
        var errno = Marshal.GetLastWin32Error();
        return new IOException($"{what} '{path}' failed: errno {errno}{(errno == 17 ? " (it exists)" : errno == 13 ? " (permission denied)" : string.Empty)}.", errno);
    }

#pragma warning disable SA1300, IDE1006, CA5392 // libc's own names; the library is named explicitly
    private static class Linux
    {
        [DllImport("libc.so.6", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

        [DllImport("libc.so.6", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int mkdir([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

        [DllImport("libc.so.6", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int fsync(int fd);

        [DllImport("libc.so.6", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int close(int fd);
    }

    private static class Mac
    {
        [DllImport("libSystem.dylib", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

        [DllImport("libSystem.dylib", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int mkdir([MarshalAs(UnmanagedType.LPUTF8Str)] string path, ushort mode);

        [DllImport("libSystem.dylib", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int fsync(int fd);

        [DllImport("libSystem.dylib", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int close(int fd);
    }
#pragma warning restore SA1300, IDE1006, CA5392
}
