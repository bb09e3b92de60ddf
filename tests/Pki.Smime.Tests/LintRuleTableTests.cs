using System.Reflection;
using Pki.Smime.Linting;

namespace Pki.Smime.Tests;

/// <summary>
/// The linter's one rule table: every code once, and each rule class in the folder (and namespace) of the
/// BR section it declares, so the folder tree under <c>Linting/Rules</c> reads as the BR's section 6 and 7.
/// </summary>
public sealed class LintRuleTableTests
{
    [Fact]
    public void The_table_has_every_linter_code_exactly_once()
    {
        var codes = LintRuleTable.Rules.Select(r => r.Code).ToList();
        var constants = typeof(SmimeLintRules).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(
            constants.Where(c => c != SmimeLintRules.LegacyGenerationRefused).Order(StringComparer.Ordinal),
            codes.Order(StringComparer.Ordinal));
        Assert.Equal(constants.Order(StringComparer.Ordinal), SmimeLintRules.All.Select(r => r.Code).Order(StringComparer.Ordinal));
        Assert.Equal(70, codes.Count);
    }

    [Fact]
    public void The_public_catalogue_lists_the_table_in_report_order()
    {
        var descriptors = LintRuleTable.Rules.Select(r => r.Descriptor).ToList();

        Assert.Equal(descriptors, SmimeLintRules.All.Take(descriptors.Count));
        Assert.Equal(SmimeLintRules.LegacyGenerationRefused, SmimeLintRules.All[^1].Code);
    }

    [Fact]
    public void Each_rule_declares_the_BR_section_of_its_group()
    {
        var groups = LintRuleTable.Rules.Select(r => GroupSection(r.GetType())).Distinct().ToList();

        Assert.All(LintRuleTable.Rules, rule =>
        {
            var number = rule.Section.Split(' ')[0];
            var mostSpecific = groups.Where(g => number == g || number.StartsWith(g + ".", StringComparison.Ordinal)).MaxBy(g => g.Length);
            Assert.True(mostSpecific == GroupSection(rule.GetType()), $"{rule.Code} ({rule.Section}) is in group {GroupSection(rule.GetType())}, expected {mostSpecific}");
        });
    }

    [Fact]
    public void Each_rule_class_is_in_the_folder_named_after_its_namespace()
    {
        var rules = FindRulesFolder();

        Assert.All(LintRuleTable.Rules, rule =>
        {
            var folder = Path.Combine(rules, rule.GetType().Namespace!.Split('.')[^1]);
            Assert.True(
                Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.cs").Any(f => File.ReadAllText(f).Contains($" class {rule.GetType().Name}(", StringComparison.Ordinal)),
                $"{rule.GetType().Name} is not declared in {folder}");
        });
    }

    /// <summary><c>Pki.Smime.Linting.Rules.Section7Dot1Dot2Dot3</c> is the group of section 7.1.2.3.</summary>
    private static string GroupSection(Type rule)
    {
        var group = rule.Namespace!.Split('.')[^1];
        Assert.StartsWith("Section", group, StringComparison.Ordinal);
        return group["Section".Length..].Replace("Dot", ".", StringComparison.Ordinal);
    }

    private static string FindRulesFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "src", "Pki.Smime", "Linting", "Rules");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("src/Pki.Smime/Linting/Rules was not found above the test output directory.");
    }
}
