using System.Text.RegularExpressions;

namespace Pki.Readme.Tests;

/// <summary>
/// A package README is packed into the .nupkg, where the repository's <c>samples/</c>, <c>tests/</c> and
/// <c>benchmarks/</c> folders do not exist: every link must be absolute, and every repository path the text
/// mentions (e.g. in a command run from a clone) must also be linked on the repository
/// (<c>RepositoryUrl</c> in Directory.Build.props).
/// </summary>
public sealed partial class PackageReadmeLinkTests
{
    private const string RepositoryBlob = "https://github.com/pki-dotnet/Pki/blob/main/";

    [Theory]
    [InlineData("Pki.Caa")]
    [InlineData("Pki.Smime")]
    [InlineData("Pki.KeyTransparency")]
    [InlineData("Pki.Ari")]
    [InlineData("Pki.Acme.Redis")]
    [InlineData("Pki.Acme")]
    [InlineData("Pki.Acme.Management")]
    [InlineData("Pki.Acme.AspNetCore")]
    public void Links_and_repository_paths_resolve_outside_the_repository(string package)
    {
        var readme = File.ReadAllText(Path.Combine(ReadmeSnippets.RepositoryRoot(), "src", package, "README.md"));

        var relativeLinks = LinkTarget().Matches(readme).Select(m => m.Groups[1].Value).Where(t => !t.StartsWith("https://", StringComparison.Ordinal) && !t.StartsWith('#')).ToList();
        var unlinkedPaths = RepositoryPath().Matches(readme).Select(m => m.Value.TrimEnd('.', '/')).Distinct().Where(p => !readme.Contains(RepositoryBlob + p, StringComparison.Ordinal)).ToList();

        Assert.True(relativeLinks.Count == 0, $"{package} README has relative links: {string.Join(", ", relativeLinks)}");
        Assert.True(unlinkedPaths.Count == 0, $"{package} README mentions repository paths without a link to {RepositoryBlob}<path>: {string.Join(", ", unlinkedPaths)}");
    }

    [Theory]
    [InlineData("Pki.Acme")]
    [InlineData("Pki.Acme.Management")]
    [InlineData("Pki.Ari")]
    [InlineData("Pki.Caa")]
    [InlineData("Pki.KeyTransparency")]
    [InlineData("Pki.Smime")]
    public void Packages_with_init_setters_say_that_they_need_CSharp_9(string package)
    {
        // Their public types use init setters (see PublicAPI.Unshipped.txt): a netstandard2.1 project on
        // its default C# 8 cannot create a request (CS8400) unless it raises LangVersion.
        var readme = File.ReadAllText(Path.Combine(ReadmeSnippets.RepositoryRoot(), "src", package, "README.md"));
        Assert.Contains("Needs C# 9 or later", readme, StringComparison.Ordinal);
        Assert.Contains("<LangVersion>", readme, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex LinkTarget();

    [GeneratedRegex(@"(?<![\w./-])(?:samples|tests|benchmarks)/[\w./-]+")]
    private static partial Regex RepositoryPath();
}
