using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace Pki.Packaging.Tests;

/// <summary>The test classes that read the packed packages share one pack.</summary>
[CollectionDefinition(Name)]
public sealed class PackedPackagesCollection : ICollectionFixture<PackedPackages>
{
    public const string Name = "Packed packages";
}

/// <summary>
/// Packs every project under src/ once (`dotnet pack` of a solution filter, Release, into a temporary
/// folder with its own artifacts path, so the repository's bin/obj are not touched) and reads back
/// each package's nuspec, file list and symbol package.
/// </summary>
public sealed class PackedPackages : IDisposable
{
    /// <summary>The whole pack (restore included) must finish within this; the run then fails with its output.</summary>
    public static readonly TimeSpan PackDeadline = TimeSpan.FromSeconds(600);

    public PackedPackages()
    {
        RepositoryRoot = FindRepositoryRoot();
        Commit = Run("git", ["-C", RepositoryRoot, "rev-parse", "HEAD"], RepositoryRoot, TimeSpan.FromSeconds(30)).Trim();
        WorkDirectory = Directory.CreateTempSubdirectory("pki-pack-").FullName;
        var output = Path.Combine(WorkDirectory, "packages");

        ProjectNames = Directory.GetDirectories(Path.Combine(RepositoryRoot, "src"))
            .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj")))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToArray();
        var filter = Path.Combine(WorkDirectory, "packages.slnf");
        var projects = string.Join(",", ProjectNames.Select(p => $"\"src/{p}/{p}.csproj\""));
        var solution = JsonSerializer.Serialize(Path.Combine(RepositoryRoot, "Pki.sln"));
        File.WriteAllText(filter, "{\"solution\":{\"path\":" + solution + ",\"projects\":[" + projects + "]}}");

        PackOutput = Run(
            "dotnet",
            ["pack", filter, "-c", "Release", "-o", output, "--artifacts-path", Path.Combine(WorkDirectory, "artifacts"), "--disable-build-servers", "-nologo", "-v", "minimal"],
            RepositoryRoot,
            PackDeadline);

        foreach (var id in ProjectNames)
        {
            Packages[id] = PackedPackage.Read(id, Path.Combine(output, $"{id}.0.1.0.nupkg"), Path.Combine(output, $"{id}.0.1.0.snupkg"), PackOutput);
        }
    }

    public string RepositoryRoot { get; }

    /// <summary>The commit Source Link must point at: HEAD of the clone being packed.</summary>
    public string Commit { get; }

    public string WorkDirectory { get; }

    public IReadOnlyList<string> ProjectNames { get; }

    public string PackOutput { get; }

    /// <summary>The folder holding the packed .nupkg files: a local feed for consumer projects.</summary>
    public string PackageFolder => Path.Combine(WorkDirectory, "packages");

    public Dictionary<string, PackedPackage> Packages { get; } = new(StringComparer.Ordinal);

    public void Dispose()
    {
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a test failure.
        }
    }

    /// <summary>Runs a child process with a deadline; a non-zero exit or an overrun fails with its whole output.</summary>
    public static string Run(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan deadline, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (exitCode, output) = RunToExit(fileName, arguments, workingDirectory, deadline, environment);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"'{fileName} {string.Join(' ', arguments)}' exited with {exitCode}; its output:\n{output}");
        }

        return output;
    }

    /// <summary>Runs a child process with a deadline and returns its exit code and output; an overrun fails with the output so far.</summary>
    public static (int ExitCode, string Output) RunToExit(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan deadline, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // `dotnet test` runs under MSBuild: its variables would steer the child build (SDK paths, node reuse).
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("_MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var command = $"{fileName} {string.Join(' ', arguments)}";
        if (!process.WaitForExit(deadline))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"'{command}' did not finish within {deadline.TotalSeconds} s; its output so far:\n{Snapshot(output)}");
        }

        process.WaitForExit(); // drains the redirected streams
        return (process.ExitCode, Snapshot(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pki.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Pki.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>What one .nupkg/.snupkg pair holds, read back as a consumer's restore would see it.</summary>
public sealed class PackedPackage
{
    private PackedPackage(string id, XElement metadata, IReadOnlyList<string> entries, Dictionary<string, byte[]> files, Dictionary<string, byte[]> pdbs)
    {
        Id = id;
        Metadata = metadata;
        Entries = entries;
        Files = files;
        Pdbs = pdbs;
    }

    public string Id { get; }

    public XElement Metadata { get; }

    public IReadOnlyList<string> Entries { get; }

    /// <summary>Small files of the package by entry name (icon, README).</summary>
    public Dictionary<string, byte[]> Files { get; }

    /// <summary>Portable PDBs of the symbol package by target framework folder.</summary>
    public Dictionary<string, byte[]> Pdbs { get; }

    public string? Element(string name) => Metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    /// <summary>Dependencies per target framework (short names: net8.0, net10.0, netstandard2.1), as "id major.minor".</summary>
    public Dictionary<string, SortedSet<string>> Dependencies()
    {
        var groups = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var dependencies = Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "dependencies");
        foreach (var group in dependencies?.Elements().Where(e => e.Name.LocalName == "group") ?? [])
        {
            var framework = ShortFramework((string?)group.Attribute("targetFramework") ?? throw new InvalidDataException($"{Id}: a dependency group has no targetFramework."));
            groups[framework] = new SortedSet<string>(
                group.Elements().Where(e => e.Name.LocalName == "dependency").Select(d => $"{(string?)d.Attribute("id")} {VersionLine((string?)d.Attribute("version"))}"),
                StringComparer.Ordinal);
        }

        return groups;
    }

    /// <summary>The exact version ranges of the dependencies, for messages and the 8.0.x/10.0.x checks.</summary>
    public IEnumerable<(string Framework, string Id, string Version)> DependencyVersions()
    {
        var dependencies = Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "dependencies");
        foreach (var group in dependencies?.Elements().Where(e => e.Name.LocalName == "group") ?? [])
        {
            var framework = ShortFramework((string)group.Attribute("targetFramework")!);
            foreach (var d in group.Elements().Where(e => e.Name.LocalName == "dependency"))
            {
                yield return (framework, (string)d.Attribute("id")!, (string)d.Attribute("version")!);
            }
        }
    }

    public static PackedPackage Read(string id, string nupkg, string snupkg, string packOutput)
    {
        if (!File.Exists(nupkg) || !File.Exists(snupkg))
        {
            throw new FileNotFoundException($"{id}: pack did not produce {Path.GetFileName(nupkg)} and {Path.GetFileName(snupkg)}; pack output:\n{packOutput}");
        }

        using var package = ZipFile.OpenRead(nupkg);
        var nuspecEntry = package.Entries.Single(e => e.FullName == $"{id}.nuspec");
        XElement metadata;
        using (var stream = nuspecEntry.Open())
        {
            metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in package.Entries.Where(e => e.FullName is "icon.png" or "README.md"))
        {
            files[entry.FullName] = ReadAll(entry);
        }

        var pdbs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var symbols = ZipFile.OpenRead(snupkg))
        {
            foreach (var entry in symbols.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.FullName.EndsWith($"/{id}.pdb", StringComparison.Ordinal)))
            {
                pdbs[entry.FullName.Split('/')[1]] = ReadAll(entry);
            }
        }

        return new PackedPackage(id, metadata, package.Entries.Select(e => e.FullName).ToList(), files, pdbs);
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string ShortFramework(string framework) => framework switch
    {
        ".NETStandard2.1" => "netstandard2.1",
        _ => framework,
    };

    private static string VersionLine(string? version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var parts = version.Trim('[', ']', '(', ')').Split(',')[0].Split('.');
        return $"{parts[0]}.{parts[1]}";
    }
}
