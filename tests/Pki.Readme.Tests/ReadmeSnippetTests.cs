namespace Pki.Readme.Tests;

/// <summary>Every C# block of every README is a compiled snippet file (see <see cref="ReadmeSnippets"/>), so a README example cannot rot.</summary>
public sealed class ReadmeSnippetTests
{
    [Fact]
    public void Every_readme_csharp_block_equals_its_snippet_file()
    {
        var root = ReadmeSnippets.RepositoryRoot();
        var blocks = ReadmeSnippets.Readmes(root).SelectMany(r => ReadmeSnippets.CodeBlocks(r, File.ReadAllText(Path.Combine(root, r)))).ToList();

        var problems = ReadmeSnippets.Compare(blocks, ReadmeSnippets.AllRegions(root));

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Contains(blocks, b => b.Readme == "README.md");
        Assert.Contains(blocks, b => b.Readme == "src/Pki.Acme/README.md");
    }

    [Fact]
    public void A_block_that_differs_is_reported_with_its_readme_line_and_the_two_lines()
    {
        var blocks = ReadmeSnippets.CodeBlocks("src/X/README.md", "# X\n\n```csharp\nusing X;\n\nvar a = 1;\nvar b = 2;\n```\n");
        var regions = ReadmeSnippets.Regions("Snippets/X.cs", "// README:begin src/X/README.md#1\nusing X;\n// README:end\nclass C\n{\n    void M()\n    {\n        // README:begin src/X/README.md#1\n        var a = 1;\n        var b = 3;\n        // README:end\n    }\n}\n");

        var problem = Assert.Single(ReadmeSnippets.Compare(blocks, regions));

        Assert.Equal("src/X/README.md line 7: C# block 1 differs from Snippets/X.cs (region on line 1): the README has 'var b = 2;', the snippet 'var b = 3;'.", problem);
    }

    [Fact]
    public void Parts_of_one_region_join_with_an_empty_line_and_indentation_is_ignored()
    {
        var blocks = ReadmeSnippets.CodeBlocks("README.md", "```cs\nusing X;\n\nif (a)\n{\n    b();\n}\n```\n```json\n{}\n```\n");
        var regions = ReadmeSnippets.Regions("S.cs", "// README:begin README.md#1\nusing X;\n// README:end\n    // README:begin README.md#1\n        if (a)\n        {\n            b();\n        }   \n    // README:end\n");

        Assert.Single(blocks);
        Assert.Empty(ReadmeSnippets.Compare(blocks, regions));
    }

    [Fact]
    public void A_block_without_a_snippet_and_a_snippet_without_a_block_are_reported()
    {
        var blocks = ReadmeSnippets.CodeBlocks("README.md", "text\n\n```c#\nFoo();\n```\n");
        var regions = ReadmeSnippets.Regions("S.cs", "// README:begin README.md#2\nFoo();\n// README:end\n");

        var problems = ReadmeSnippets.Compare(blocks, regions);

        Assert.Equal(
            [
                "README.md line 3: C# block 1 has no snippet; put it in a file under tests/Pki.Readme.Tests/Snippets between '// README:begin README.md#1' and '// README:end'.",
                "S.cs line 1: the region README.md#2 matches no C# block of that README.",
            ],
            problems);
    }

    [Theory]
    [InlineData("// README:begin README.md#1\nFoo();\n", "S.cs line 1: README:begin README.md#1 has no README:end.")]
    [InlineData("Foo();\n// README:end\n", "S.cs line 2: README:end without README:begin.")]
    [InlineData("// README:start README.md#1\n", "S.cs line 1: unknown marker '// README:start README.md#1' (use '// README:begin path/README.md#N' and '// README:end').")]
    public void Broken_markers_are_refused_naming_the_line(string text, string message)
    {
        var exception = Assert.Throws<FormatException>(() => ReadmeSnippets.Regions("S.cs", text));
        Assert.Equal(message, exception.Message);
    }
}
