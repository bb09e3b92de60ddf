namespace Pki.Caa.Tests;

/// <summary>The README's offline example ("Offline: a zone in memory"), run on the zone text read from the README itself.</summary>
public sealed class ReadmeExampleTests
{
    private const string Section = "## Offline: a zone in memory";

    [Fact]
    public async Task The_readme_offline_example_runs_on_its_absolute_zone_text()
    {
        var block = ReadmeBlock();
        var zoneText = RawStringLiteral(block);

        // --- README example starts (after the zoneText declaration) ---
        var evaluator = new CaaEvaluator(InMemoryCaaResolver.FromZoneText(zoneText));

        var www = await evaluator.EvaluateAsync(new CaaCheck("www.example.com", "ca.example"));
        var shop = await evaluator.EvaluateAsync(new CaaCheck("shop.example.com", "ca.example"));
        var mail = await evaluator.EvaluateAsync(new CaaCheck("alice@example.com", "mail-ca.example"));
        // --- README example ends ---

        Assert.Contains("var evaluator = new CaaEvaluator(InMemoryCaaResolver.FromZoneText(zoneText));", block, StringComparison.Ordinal);
        Assert.Contains("Console.WriteLine(www.Verdict);   // Permitted", block, StringComparison.Ordinal);
        Assert.Contains("Console.WriteLine(shop.Verdict);  // Denied", block, StringComparison.Ordinal);
        Assert.Contains("Console.WriteLine(mail.Verdict);  // Permitted", block, StringComparison.Ordinal);
        Assert.Equal(CaaVerdict.Permitted, www.Verdict);
        Assert.Equal("example.com", www.RelevantRRset.OwnerName);
        Assert.Equal(CaaVerdict.Denied, shop.Verdict);
        Assert.Equal(CaaVerdict.Permitted, mail.Verdict);
        Assert.Equal("example.com", CaaZone.Parse(zoneText).Origin);
    }

    /// <summary>The first C# block after the offline section's heading.</summary>
    private static string ReadmeBlock()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Pki.Caa.README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var section = readme.IndexOf(Section, StringComparison.Ordinal);
        Assert.True(section >= 0, $"The README has no '{Section}' section.");
        var start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        var end = readme.IndexOf("\n```", start, StringComparison.Ordinal);
        return readme[start..end];
    }

    /// <summary>The content of the block's one raw string literal, with the closing delimiter's indentation removed as C# does.</summary>
    private static string RawStringLiteral(string block)
    {
        var open = block.IndexOf("\"\"\"\n", StringComparison.Ordinal) + 4;
        var close = block.IndexOf("\"\"\";", open, StringComparison.Ordinal);
        var lineStart = block.LastIndexOf('\n', close) + 1;
        var indent = block[lineStart..close];
        var lines = block[open..lineStart].TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.StartsWith(indent, l, StringComparison.Ordinal));
        return string.Join("\n", lines.Select(l => l[indent.Length..]));
    }
}
