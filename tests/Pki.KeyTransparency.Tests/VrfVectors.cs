namespace Pki.KeyTransparency.Tests;

/// <summary>One RFC 9381 Appendix B example from rfc9381-ecvrf-tai.txt.</summary>
public sealed record VrfExample(string Suite, string Name, byte[] Sk, byte[] Pk, byte[] Alpha, byte[] H, byte[] K, byte[] U, byte[] V, byte[] Pi, byte[] Beta)
{
    public override string ToString() => $"{Suite} {Name}";

    public static IReadOnlyList<VrfExample> All { get; } = Load();

    private static List<VrfExample> Load()
    {
        var examples = new List<VrfExample>();
        string? suite = null;
        string? name = null;
        var values = new Dictionary<string, byte[]>();
        void Flush()
        {
            if (name is not null)
            {
                examples.Add(new VrfExample(suite!, name, values["SK"], values["PK"], values["alpha"], values["H"], values["k"], values["U"], values["V"], values["pi"], values["beta"]));
            }

            values.Clear();
            name = null;
        }

        foreach (var raw in File.ReadLines(Vectors.PathOf("rfc9381-ecvrf-tai.txt")))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('['))
            {
                Flush();
                suite = line.Trim('[', ']');
            }
            else if (line.StartsWith("Example ", StringComparison.Ordinal))
            {
                Flush();
                name = line;
            }
            else
            {
                var eq = line.IndexOf('=', StringComparison.Ordinal);
                values[line[..eq].Trim()] = Vectors.Hex(line[(eq + 1)..]);
            }
        }

        Flush();
        return examples;
    }
}
