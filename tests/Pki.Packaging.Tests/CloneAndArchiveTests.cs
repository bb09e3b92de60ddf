using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text;

namespace Pki.Packaging.Tests;

/// <summary>
/// Source Link does not depend on the clone's remote, and a tree without git cannot be packed
/// silently without it. Each packs one small package (Pki.Caa) in a copy of the committed tree.
/// </summary>
public sealed class CloneAndArchiveTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(450);
    private readonly string _root = PackedPackages.FindRepositoryRoot();
    private readonly string _work = Directory.CreateTempSubdirectory("pki-clone-").FullName;

    [Fact]
    public void A_clone_of_a_local_path_packs_with_source_link_to_the_canonical_repository()
    {
        var clone = Path.Combine(_work, "clone");
        PackedPackages.Run("git", ["clone", "--quiet", _root, clone], _work, Deadline);
        var commit = PackedPackages.Run("git", ["-C", clone, "rev-parse", "HEAD"], clone, Deadline).Trim();
        Assert.Equal(_root, PackedPackages.Run("git", ["-C", clone, "remote", "get-url", "origin"], clone, Deadline).Trim());

        var output = Path.Combine(_work, "out");
        PackedPackages.Run("dotnet", ["pack", "src/Pki.Caa", "-c", "Release", "-o", output, "--artifacts-path", Path.Combine(_work, "artifacts"), "--disable-build-servers", "-nologo", "-v", "minimal"], clone, Deadline);

        using var symbols = ZipFile.OpenRead(Path.Combine(output, "Pki.Caa.0.1.0.snupkg"));
        var entry = symbols.GetEntry("lib/net10.0/Pki.Caa.pdb");
        Assert.NotNull(entry);
        using var copy = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(copy);
        }

        copy.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(copy);
        var reader = provider.GetMetadataReader();
        var json = reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Where(c => reader.GetGuid(c.Kind) == new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A"))
            .Select(c => Encoding.UTF8.GetString(reader.GetBlobBytes(c.Value)))
            .Single();
        Assert.Equal("{\"documents\":{\"/_/*\":\"https://raw.githubusercontent.com/pki-dotnet/Pki/" + commit + "/*\"}}", json);
    }

    [Fact]
    public void A_tree_without_git_fails_to_pack_and_says_why()
    {
        var tree = Path.Combine(_work, "tree");
        Directory.CreateDirectory(tree);
        var tar = Path.Combine(_work, "tree.tar");
        PackedPackages.Run("git", ["-C", _root, "archive", "--format=tar", "-o", tar, "HEAD"], _root, Deadline);
        PackedPackages.Run("tar", ["-xf", tar, "-C", tree], _work, Deadline);

        var (exitCode, output) = PackedPackages.RunToExit("dotnet", ["pack", "src/Pki.Caa", "-c", "Release", "-o", Path.Combine(_work, "out"), "--artifacts-path", Path.Combine(_work, "artifacts"), "--disable-build-servers", "-nologo", "-v", "minimal"], tree, Deadline);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Pki.Caa: Source Link needs the git commit being packed, and none was found", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_work, "out", "Pki.Caa.0.1.0.nupkg")), output);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a test failure.
        }
    }
}
