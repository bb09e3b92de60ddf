namespace Pki.Caa;

/// <summary>Whether a Relevant RRset was found.</summary>
public enum CaaLookupStatus
{
    /// <summary>A non-empty CAA RRset was found at <see cref="CaaRelevantRRset.OwnerName"/>.</summary>
    Found,

    /// <summary>No CAA RRset exists from the name up to (not including) the root.</summary>
    Empty,

    /// <summary>A query failed, so the Relevant RRset is unknown.</summary>
    Indeterminate,
}
