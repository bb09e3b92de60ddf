using System.Reflection.Metadata;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Pki.Packaging.Tests;

/// <summary>
/// What a consumer of the packed packages gets (issue #13, "Package shape"): only the dependencies
/// each package's code uses, per target framework; the 8.0 line of Microsoft.Extensions on net8.0;
/// an icon, release notes and tags of its own; and symbol packages whose PDBs carry Source Link to
/// the packed commit with deterministic paths.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class PackageShapeTests
{
    /// <summary>Source Link's CustomDebugInformation kind (Portable PDB specification).</summary>
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    /// <summary>Every package's dependencies per target framework, as "id major.minor"; nothing else may appear.</summary>
    private static readonly Dictionary<string, Dictionary<string, string[]>> ExpectedDependencies = new(StringComparer.Ordinal)
    {
        ["Pki.Acme"] = new(StringComparer.Ordinal)
        {
            ["net10.0"] = ["Microsoft.Extensions.DependencyInjection.Abstractions 10.0", "Microsoft.Extensions.Logging.Abstractions 10.0", "Microsoft.Extensions.Options 10.0"],
            ["net8.0"] = ["Microsoft.Bcl.Memory 10.0", "Microsoft.Extensions.DependencyInjection.Abstractions 8.0", "Microsoft.Extensions.Logging.Abstractions 8.0", "Microsoft.Extensions.Options 8.0"],
            ["netstandard2.1"] = ["Microsoft.Bcl.AsyncInterfaces 10.0", "Microsoft.Bcl.Memory 10.0", "Microsoft.Bcl.TimeProvider 10.0", "Microsoft.Extensions.DependencyInjection.Abstractions 10.0", "Microsoft.Extensions.Logging.Abstractions 10.0", "Microsoft.Extensions.Options 10.0", "System.Diagnostics.DiagnosticSource 10.0", "System.Formats.Asn1 10.0", "System.Text.Json 10.0"],
        },
        ["Pki.Ari"] = new(StringComparer.Ordinal)
        {
            ["net10.0"] = ["Pki.Acme 0.1"],
            ["net8.0"] = ["Microsoft.Bcl.Memory 10.0", "Pki.Acme 0.1"],
            ["netstandard2.1"] = ["Microsoft.Bcl.Memory 10.0", "Microsoft.Bcl.TimeProvider 10.0", "Pki.Acme 0.1", "System.Formats.Asn1 10.0"],
        },
        ["Pki.Caa"] = new(StringComparer.Ordinal)
        {
            ["net10.0"] = ["DnsClient 1.8", "Microsoft.Extensions.DependencyInjection.Abstractions 10.0", "Microsoft.Extensions.Logging.Abstractions 10.0", "Microsoft.Extensions.Options 10.0"],
            ["net8.0"] = ["DnsClient 1.8", "Microsoft.Bcl.Memory 10.0", "Microsoft.Extensions.DependencyInjection.Abstractions 8.0", "Microsoft.Extensions.Logging.Abstractions 8.0", "Microsoft.Extensions.Options 8.0"],
            ["netstandard2.1"] = ["DnsClient 1.8", "Microsoft.Bcl.Memory 10.0", "Microsoft.Bcl.TimeProvider 10.0", "Microsoft.Extensions.DependencyInjection.Abstractions 10.0", "Microsoft.Extensions.Logging.Abstractions 10.0", "Microsoft.Extensions.Options 10.0"],
        },
        ["Pki.Smime"] = new(StringComparer.Ordinal)
        {
            ["net10.0"] = ["BouncyCastle.Cryptography 2.7", "Microsoft.Extensions.DependencyInjection.Abstractions 10.0", "Microsoft.Extensions.Logging.Abstractions 10.0", "Microsoft.Extensions.Options 10.0", "Pki.Caa 0.1"],
            ["net8.0"] = ["BouncyCastle.Cryptography 2.7", "Microsoft.Bcl.Memory 10.0", "Microsoft.Extensions.DependencyInjection.Abstractions 8.0", "Microsoft.Extensions.Logging.Abstractions 8.0", "Microsoft.Extensions.Options 8.0", "Pki.Caa 0.1"],
            ["netstandard2.1"] = ["BouncyCastle.Cryptography 2.7", "Microsoft.Bcl.Memory 10.0", "Microsoft.Bcl.TimeProvider 10.0", "Microsoft.Extensions.DependencyInjection.Abstractions 10.0", "Microsoft.Extensions.Logging.Abstractions 10.0", "Microsoft.Extensions.Options 10.0", "Pki.Caa 0.1", "System.Formats.Asn1 10.0"],
        },
        ["Pki.KeyTransparency"] = new(StringComparer.Ordinal)
        {
            ["net10.0"] = ["BouncyCastle.Cryptography 2.7", "DnsClient 1.8"],
            ["net8.0"] = ["BouncyCastle.Cryptography 2.7", "DnsClient 1.8", "Microsoft.Bcl.Memory 10.0"],
            ["netstandard2.1"] = ["BouncyCastle.Cryptography 2.7", "DnsClient 1.8", "Microsoft.Bcl.Memory 10.0", "Microsoft.Bcl.TimeProvider 10.0"],
        },
        ["Pki.Acme.Management"] = new(StringComparer.Ordinal)
        {
            ["net10.0"] = ["Microsoft.Extensions.DependencyInjection.Abstractions 10.0", "Microsoft.Extensions.Hosting.Abstractions 10.0", "Microsoft.Extensions.Http 10.0", "Microsoft.Extensions.Logging.Abstractions 10.0", "Microsoft.Extensions.Options 10.0", "Pki.Acme 0.1", "Pki.Ari 0.1", "Pki.Caa 0.1"],
            ["net8.0"] = ["Microsoft.Bcl.Memory 10.0", "Microsoft.Extensions.DependencyInjection.Abstractions 8.0", "Microsoft.Extensions.Hosting.Abstractions 8.0", "Microsoft.Extensions.Http 8.0", "Microsoft.Extensions.Logging.Abstractions 8.0", "Microsoft.Extensions.Options 8.0", "Pki.Acme 0.1", "Pki.Ari 0.1", "Pki.Caa 0.1"],
            ["netstandard2.1"] = ["Microsoft.Bcl.AsyncInterfaces 10.0", "Microsoft.Bcl.Memory 10.0", "Microsoft.Bcl.TimeProvider 10.0", "Microsoft.Extensions.DependencyInjection.Abstractions 10.0", "Microsoft.Extensions.Hosting.Abstractions 10.0", "Microsoft.Extensions.Http 10.0", "Microsoft.Extensions.Logging.Abstractions 10.0", "Microsoft.Extensions.Options 10.0", "Pki.Acme 0.1", "Pki.Ari 0.1", "Pki.Caa 0.1", "System.Formats.Asn1 10.0", "System.Text.Json 10.0"],
        },
        ["Pki.Acme.Redis"] = new(StringComparer.Ordinal)
        {
            ["net10.0"] = ["Microsoft.Extensions.Options 10.0", "Pki.Acme.Management 0.1", "StackExchange.Redis 2.13", "System.IO.Hashing 10.0"],
            ["net8.0"] = ["Microsoft.Bcl.Memory 10.0", "Microsoft.Extensions.Options 8.0", "Pki.Acme.Management 0.1", "StackExchange.Redis 2.13", "System.IO.Hashing 10.0"],
            ["netstandard2.1"] = ["Microsoft.Bcl.Memory 10.0", "Microsoft.Bcl.TimeProvider 10.0", "Microsoft.Extensions.Options 10.0", "Pki.Acme.Management 0.1", "StackExchange.Redis 2.13", "System.IO.Hashing 10.0", "System.Threading.Channels 10.0"],
        },
        ["Pki.Acme.Server"] = new(StringComparer.Ordinal)
        {
            ["net10.0"] = ["Microsoft.Data.Sqlite 10.0", "Npgsql 10.0", "Pki.Acme 0.1", "Pki.Caa 0.1"],
            ["net8.0"] = ["Microsoft.Bcl.Memory 10.0", "Microsoft.Data.Sqlite 10.0", "Npgsql 10.0", "Pki.Acme 0.1", "Pki.Caa 0.1"],
        },
        ["Pki.Acme.AspNetCore"] = new(StringComparer.Ordinal)
        {
            ["net10.0"] = ["Pki.Acme.Management 0.1"],
            ["net8.0"] = ["Microsoft.Bcl.Memory 10.0", "Pki.Acme.Management 0.1"],
        },
    };

    private readonly PackedPackages _packed;
    private readonly ITestOutputHelper _output;

    public PackageShapeTests(PackedPackages packed, ITestOutputHelper output)
    {
        _packed = packed;
        _output = output;
    }

    public static TheoryData<string> PackageIds() => new(ExpectedDependencies.Keys);

    [Fact]
    public void Every_project_under_src_is_packed_and_has_expectations_here()
    {
        Assert.Equal(ExpectedDependencies.Keys.Order(StringComparer.Ordinal), _packed.ProjectNames);
        Assert.Equal(_packed.ProjectNames, _packed.Packages.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Each_target_framework_lists_exactly_the_dependencies_the_code_uses(string id)
    {
        var package = _packed.Packages[id];
        var actual = package.Dependencies();
        foreach (var (framework, deps) in actual)
        {
            _output.WriteLine($"{framework}: {string.Join(", ", deps)}");
        }

        var expected = ExpectedDependencies[id];
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (framework, deps) in expected)
        {
            Assert.True(
                deps.Order(StringComparer.Ordinal).SequenceEqual(actual[framework]),
                $"{id} {framework}: expected [{string.Join(", ", deps.Order(StringComparer.Ordinal))}] but the nuspec lists [{string.Join(", ", actual[framework])}].");
        }

        // The lib folders are the target frameworks the dependency groups describe.
        var libs = package.Entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).Select(e => e.Split('/')[1]).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), libs);
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Net8_assets_take_the_8_0_line_of_microsoft_extensions_and_nothing_the_shared_framework_has(string id)
    {
        var versions = _packed.Packages[id].DependencyVersions().ToList();
        Assert.NotEmpty(versions);
        foreach (var (framework, dependency, version) in versions)
        {
            if (dependency.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal))
            {
                var line = framework == "net8.0" ? "8.0." : "10.0.";
                Assert.True(version.StartsWith(line, StringComparison.Ordinal), $"{id} {framework}: {dependency} {version} is not on the {line}x line.");
            }

            if (framework != "netstandard2.1")
            {
                Assert.DoesNotContain(dependency, new[] { "System.Text.Json", "System.Formats.Asn1", "System.Diagnostics.DiagnosticSource", "Microsoft.Bcl.AsyncInterfaces", "Microsoft.Bcl.TimeProvider" });
            }
        }
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void The_package_has_the_icon_readme_and_its_own_release_notes(string id)
    {
        var package = _packed.Packages[id];
        Assert.Equal("icon.png", package.Element("icon"));
        var icon = package.Files["icon.png"];
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, icon[..8]);
        var width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(icon.AsSpan(16));
        var height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(icon.AsSpan(20));
        Assert.InRange(width, 64, 1024);
        Assert.Equal(width, height);
        Assert.Equal("README.md", package.Element("readme"));
        Assert.True(package.Files.ContainsKey("README.md"));

        var notes = package.Element("releaseNotes");
        Assert.NotNull(notes);
        var section = ChangelogSection(id);
        Assert.Equal(section + "\n\nAll changes: https://github.com/pki-dotnet/Pki/blob/main/CHANGELOG.md", notes.ReplaceLineEndings("\n"));
        foreach (var other in ExpectedDependencies.Keys.Where(o => o != id))
        {
            Assert.NotEqual(ChangelogSection(other), section);
        }
    }

    [Fact]
    public void Tags_are_per_package()
    {
        var tags = _packed.Packages.ToDictionary(p => p.Key, p => (p.Value.Element("tags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (id, set) in tags)
        {
            _output.WriteLine($"{id}: {string.Join(' ', set)}");
            Assert.Equal(id.StartsWith("Pki.Acme", StringComparison.Ordinal) || id == "Pki.Ari", set.Contains("acme"));
            Assert.Contains("pki", set);
        }

        Assert.Equal(tags.Count, tags.Values.Select(t => string.Join(' ', t.Order(StringComparer.Ordinal))).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("caa", tags["Pki.Caa"]);
        Assert.Contains("smime", tags["Pki.Smime"]);
        Assert.Contains("merkle", tags["Pki.KeyTransparency"]);
        Assert.Contains("redis", tags["Pki.Acme.Redis"]);
        Assert.Contains("aspnetcore", tags["Pki.Acme.AspNetCore"]);
        Assert.Contains("acme-server", tags["Pki.Acme.Server"]);
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Every_pdb_of_the_symbol_package_maps_its_sources_to_the_packed_commit(string id)
    {
        var package = _packed.Packages[id];
        Assert.Equal(ExpectedDependencies[id].Keys.Order(StringComparer.Ordinal), package.Pdbs.Keys.Order(StringComparer.Ordinal));
        var repository = package.Metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("https://github.com/pki-dotnet/Pki", (string?)repository.Attribute("url"));
        Assert.Equal(_packed.Commit, (string?)repository.Attribute("commit"));

        foreach (var (framework, pdb) in package.Pdbs)
        {
            using var provider = MetadataReaderProvider.FromPortablePdbImage(System.Collections.Immutable.ImmutableArray.Create(pdb));
            var reader = provider.GetMetadataReader();
            var sourceLinks = reader.CustomDebugInformation
                .Select(reader.GetCustomDebugInformation)
                .Where(c => reader.GetGuid(c.Kind) == SourceLinkKind)
                .Select(c => reader.GetBlobBytes(c.Value))
                .ToList();
            var json = Assert.Single(sourceLinks);
            using var document = JsonDocument.Parse(json);
            var map = document.RootElement.GetProperty("documents").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
            Assert.Equal(
                new Dictionary<string, string?> { ["/_/*"] = $"https://raw.githubusercontent.com/pki-dotnet/Pki/{_packed.Commit}/*" },
                map);

            // Deterministic paths: the sources are under the mapped root /_/, generated ones (obj/ in the
            // temporary artifacts folder) under another mapped root (/_N/); no path of this machine is left.
            var names = reader.Documents.Select(h => reader.GetString(reader.GetDocument(h).Name)).ToList();
            Assert.All(names, n => Assert.Matches("^/_[0-9]*/", n));
            Assert.All(names, n => Assert.DoesNotContain(_packed.WorkDirectory, n, StringComparison.Ordinal));
            Assert.All(names, n => Assert.DoesNotContain(_packed.RepositoryRoot, n, StringComparison.Ordinal));
            Assert.Contains(names, n => n.StartsWith($"/_/src/{id}/", StringComparison.Ordinal));
            _output.WriteLine($"{framework}: {names.Count} documents, Source Link {Encoding.UTF8.GetString(json)}");
        }
    }

    private string ChangelogSection(string id)
    {
        var text = File.ReadAllText(Path.Combine(_packed.RepositoryRoot, "CHANGELOG.md")).ReplaceLineEndings("\n");
        var lines = text.Split('\n');
        var start = Array.IndexOf(lines, "### " + id);
        Assert.True(start >= 0, $"CHANGELOG.md has no '### {id}' section.");
        var end = start + 1;
        while (end < lines.Length && !lines[end].StartsWith("##", StringComparison.Ordinal))
        {
            end++;
        }

        return string.Join('\n', lines[(start + 1)..end]).Trim();
    }
}
