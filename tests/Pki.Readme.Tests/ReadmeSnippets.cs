using System.Text.RegularExpressions;

namespace Pki.Readme.Tests;

/// <summary>A C# code block of a README: the README (relative to the repository root), its 1-based number among the README's C# blocks, the line of its opening fence, and its text.</summary>
public sealed record ReadmeBlock(string Readme, int Number, int Line, string Text)
{
    /// <summary>The key a snippet region names: <c>README.md#2</c>.</summary>
    public string Key => $"{Readme}#{Number}";
}

/// <summary>A region of a snippet file: the file (relative to the repository root), the line of its first <c>README:begin</c> marker, and its text (parts of one key joined by an empty line).</summary>
public sealed record SnippetRegion(string Key, string File, int Line, string Text);

/// <summary>
/// Reads the README code blocks and the snippet files they must equal. A snippet file marks the text of
/// block <c>N</c> of README <c>path</c> with <c>// README:begin path#N</c> and <c>// README:end</c>; a key may
/// have several parts (usings at the top of the file, the body inside a method), which are joined by an
/// empty line. Both sides are compared after removing trailing whitespace, leading and trailing empty
/// lines and each part's common indentation.
/// </summary>
public static partial class ReadmeSnippets
{
    /// <summary>Where the snippet files live, relative to the repository root.</summary>
    public const string SnippetDirectory = "tests/Pki.Readme.Tests/Snippets";

    /// <summary>The repository root: the nearest directory above the test binaries that holds Pki.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pki.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Pki.sln above {AppContext.BaseDirectory}: the README tests read the READMEs and snippets from the repository.");
    }

    /// <summary>The READMEs whose C# blocks must be snippets: the root README, every package's and every sample's.</summary>
    public static IReadOnlyList<string> Readmes(string root)
    {
        var readmes = new List<string> { "README.md" };
        foreach (var folder in new[] { "src", "samples" })
        {
            readmes.AddRange(Directory.EnumerateFiles(Path.Combine(root, folder), "README.md", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
                .Where(p => !p.Contains("/bin/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal));
        }

        return readmes;
    }

    /// <summary>The C# blocks (<c>```csharp</c>, <c>```cs</c>, <c>```c#</c>) of a README's text.</summary>
    public static IReadOnlyList<ReadmeBlock> CodeBlocks(string readme, string text)
    {
        var blocks = new List<ReadmeBlock>();
        var lines = SplitLines(text);
        string? fence = null;
        var isCSharp = false;
        var start = 0;
        var body = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (fence is null)
            {
                var open = FenceOpen().Match(trimmed);
                if (open.Success)
                {
                    fence = open.Groups["fence"].Value;
                    var info = open.Groups["info"].Value.Trim().Split(' ', 2)[0].ToLowerInvariant();
                    isCSharp = info is "csharp" or "cs" or "c#";
                    start = i + 1;
                    body.Clear();
                }
            }
            else if (trimmed.StartsWith(fence, StringComparison.Ordinal) && trimmed.Trim('`', '~', ' ', '\t').Length == 0)
            {
                if (isCSharp)
                {
                    blocks.Add(new ReadmeBlock(readme, blocks.Count + 1, start, Normalize([body.ToArray()])));
                }

                fence = null;
            }
            else
            {
                body.Add(lines[i]);
            }
        }

        if (fence is not null)
        {
            throw new FormatException($"{readme} line {start}: the code block is never closed.");
        }

        return blocks;
    }

    /// <summary>The marked regions of one snippet file's text; a marker without its end, or an end without a begin, is a <see cref="FormatException"/> naming the line.</summary>
    public static IReadOnlyList<SnippetRegion> Regions(string file, string text)
    {
        var parts = new Dictionary<string, (int Line, List<string[]> Parts)>(StringComparer.Ordinal);
        var lines = SplitLines(text);
        string? open = null;
        var openLine = 0;
        var body = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            var begin = BeginMarker().Match(trimmed);
            if (begin.Success)
            {
                if (open is not null)
                {
                    throw new FormatException($"{file} line {i + 1}: README:begin inside the region {open} opened on line {openLine}.");
                }

                open = begin.Groups["key"].Value;
                openLine = i + 1;
                body.Clear();
            }
            else if (trimmed == "// README:end")
            {
                if (open is null)
                {
                    throw new FormatException($"{file} line {i + 1}: README:end without README:begin.");
                }

                if (!parts.TryGetValue(open, out var entry))
                {
                    entry = (openLine, []);
                    parts[open] = entry;
                }

                entry.Parts.Add([.. body]);
                open = null;
            }
            else if (trimmed.StartsWith("// README:", StringComparison.Ordinal))
            {
                throw new FormatException($"{file} line {i + 1}: unknown marker '{trimmed}' (use '// README:begin path/README.md#N' and '// README:end').");
            }
            else if (open is not null)
            {
                body.Add(lines[i]);
            }
        }

        if (open is not null)
        {
            throw new FormatException($"{file} line {openLine}: README:begin {open} has no README:end.");
        }

        return [.. parts.Select(p => new SnippetRegion(p.Key, file, p.Value.Line, Normalize(p.Value.Parts)))];
    }

    /// <summary>Every region of every snippet file under <see cref="SnippetDirectory"/>.</summary>
    public static IReadOnlyList<SnippetRegion> AllRegions(string root) =>
        [.. Directory.EnumerateFiles(Path.Combine(root, SnippetDirectory), "*.cs", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .SelectMany(f => Regions(Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllText(f)))];

    /// <summary>
    /// What is wrong between the READMEs' blocks and the snippet regions, one sentence per problem naming
    /// the README and line (a block without a region, a block that differs, with the first differing line)
    /// or the snippet file and line (a region for no block, a key claimed twice); empty when they agree.
    /// </summary>
    public static IReadOnlyList<string> Compare(IReadOnlyList<ReadmeBlock> blocks, IReadOnlyList<SnippetRegion> regions)
    {
        var problems = new List<string>();
        foreach (var duplicate in regions.GroupBy(r => r.Key, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"{duplicate.Key} is marked in several snippet files: {string.Join(", ", duplicate.Select(r => $"{r.File} line {r.Line}"))}.");
        }

        var byKey = regions.GroupBy(r => r.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var block in blocks)
        {
            if (!byKey.TryGetValue(block.Key, out var region))
            {
                problems.Add($"{block.Readme} line {block.Line}: C# block {block.Number} has no snippet; put it in a file under {SnippetDirectory} between '// README:begin {block.Key}' and '// README:end'.");
                continue;
            }

            var expected = SplitLines(block.Text);
            var actual = SplitLines(region.Text);
            for (var i = 0; i < Math.Max(expected.Length, actual.Length); i++)
            {
                var readmeLine = i < expected.Length ? expected[i] : "(end of block)";
                var snippetLine = i < actual.Length ? actual[i] : "(end of region)";
                if (!string.Equals(readmeLine, snippetLine, StringComparison.Ordinal))
                {
                    problems.Add($"{block.Readme} line {block.Line + 1 + i}: C# block {block.Number} differs from {region.File} (region on line {region.Line}): the README has '{readmeLine}', the snippet '{snippetLine}'.");
                    break;
                }
            }
        }

        var blockKeys = blocks.Select(b => b.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var orphan in byKey.Values.Where(r => !blockKeys.Contains(r.Key)))
        {
            problems.Add($"{orphan.File} line {orphan.Line}: the region {orphan.Key} matches no C# block of that README.");
        }

        return problems;
    }

    /// <summary>Joins the parts with one empty line, after removing each part's trailing whitespace, surrounding empty lines and common indentation.</summary>
    private static string Normalize(IEnumerable<string[]> parts) =>
        string.Join("\n\n", parts.Select(Dedent).Where(p => p.Length > 0));

    private static string Dedent(string[] lines)
    {
        var trimmed = lines.Select(l => l.TrimEnd()).SkipWhile(l => l.Length == 0).Reverse().SkipWhile(l => l.Length == 0).Reverse().ToArray();
        var indent = trimmed.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", trimmed.Select(l => l.Length == 0 ? l : l[indent..]));
    }

    private static string[] SplitLines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    [GeneratedRegex(@"^(?<fence>`{3,}|~{3,})(?<info>[^`]*)$")]
    private static partial Regex FenceOpen();

    [GeneratedRegex(@"^// README:begin (?<key>\S+#\d+)$")]
    private static partial Regex BeginMarker();
}
