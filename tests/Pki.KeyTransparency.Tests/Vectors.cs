using System.Globalization;

namespace Pki.KeyTransparency.Tests;

/// <summary>Reads the test vector files copied next to the test assembly (TestVectors/).</summary>
internal static class Vectors
{
    public static string PathOf(string fileName) => Path.Combine(AppContext.BaseDirectory, "TestVectors", fileName);

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Trim());

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    public static byte[] Concat(IEnumerable<byte[]> parts) => parts.SelectMany(p => p).ToArray();
}

/// <summary>rfc9162-merkle.txt: leaves, roots, inclusion and consistency proofs.</summary>
internal sealed class MerkleVectors
{
    private static readonly Lazy<MerkleVectors> Instance = new(Load);

    public List<byte[]> LeafInputs { get; } = [];

    public List<byte[]> LeafHashes { get; } = [];

    public Dictionary<long, byte[]> Roots { get; } = [];

    public List<(long Index, long Size, byte[][] Proof)> Inclusion { get; } = [];

    public List<(long First, long Second, byte[][] Proof)> Consistency { get; } = [];

    public static MerkleVectors Get() => Instance.Value;

    private static MerkleVectors Load()
    {
        var v = new MerkleVectors();
        string? section = null;
        foreach (var raw in File.ReadLines(Vectors.PathOf("rfc9162-merkle.txt")))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith('['))
            {
                section = line[1..line.IndexOf(']', StringComparison.Ordinal)];
                continue;
            }

            switch (section)
            {
                case "leaves":
                {
                    // "3: 2021 -> 0750..."
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    var arrow = line.IndexOf("->", StringComparison.Ordinal);
                    var input = line[(colon + 1)..arrow].Trim();
                    v.LeafInputs.Add(input == "(empty)" ? [] : Vectors.Hex(input));
                    v.LeafHashes.Add(Vectors.Hex(line[(arrow + 2)..]));
                    break;
                }

                case "roots":
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    v.Roots[long.Parse(line[..colon], CultureInfo.InvariantCulture)] = Vectors.Hex(line[(colon + 1)..]);
                    break;
                }

                case "inclusion proofs":
                case "consistency proofs":
                {
                    var colon = line.IndexOf(" : ", StringComparison.Ordinal);
                    var head = line[..colon].Replace("[td]", string.Empty, StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var body = line[(colon + 3)..].Trim();
                    var proof = body == "(empty)" ? [] : body.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Vectors.Hex).ToArray();
                    var a = long.Parse(head[0], CultureInfo.InvariantCulture);
                    var b = long.Parse(head[1], CultureInfo.InvariantCulture);
                    if (section == "inclusion proofs")
                    {
                        v.Inclusion.Add((a, b, proof));
                    }
                    else
                    {
                        v.Consistency.Add((a, b, proof));
                    }

                    break;
                }
            }
        }

        return v;
    }
}
