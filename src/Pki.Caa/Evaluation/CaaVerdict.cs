namespace Pki.Caa;

/// <summary>The outcome of a CAA check.</summary>
public enum CaaVerdict
{
    /// <summary>CAA permits this CA to issue.</summary>
    Permitted,

    /// <summary>CAA forbids this CA to issue.</summary>
    Denied,

    /// <summary>The Relevant RRset could not be determined (DNS failure); fail closed and do not issue.</summary>
    Indeterminate,
}
