namespace Pki.Caa;

/// <summary>What one owner name of a <see cref="CaaZone"/> holds: CAA records, an alias, or other data that only makes it exist.</summary>
internal sealed class ZoneNode
{
    public List<CaaRecord> Caa { get; } = [];

    public uint CaaTtl { get; set; } = uint.MaxValue;

    public string? Cname { get; set; }

    public string? Dname { get; set; }

    public uint AliasTtl { get; set; }

    public bool Other { get; set; }
}
