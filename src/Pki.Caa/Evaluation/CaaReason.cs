namespace Pki.Caa;

/// <summary>Why a <see cref="CaaDecision"/> came out as it did.</summary>
public enum CaaReason
{
    /// <summary>No CAA RRset from the name up to (not including) the root: CAA does not restrict issuance.</summary>
    NoRelevantRRset,

    /// <summary>The Relevant RRset has no property that restricts this kind of identifier.</summary>
    NoRestrictingProperty,

    /// <summary>A property names one of the CA's issuer domain names and its parameters are satisfied.</summary>
    Authorized,

    /// <summary>The restricting properties name other issuers only.</summary>
    NotAuthorized,

    /// <summary>Every restricting property names no issuer (<c>;</c>) or is malformed (treated the same).</summary>
    NoIssuerAllowed,

    /// <summary>A property with the Issuer Critical flag has a tag this evaluator does not understand.</summary>
    CriticalUnknownProperty,

    /// <summary>A property for this CA is restricted to another ACME account (RFC 8657 <c>accounturi</c>).</summary>
    AccountUriMismatch,

    /// <summary>A property for this CA is restricted to other validation methods (RFC 8657 <c>validationmethods</c>).</summary>
    ValidationMethodMismatch,

    /// <summary>A property for this CA has several or invalid <c>accounturi</c>/<c>validationmethods</c> parameters, so nothing satisfies it.</summary>
    UnsatisfiableParameters,

    /// <summary>A DNS query failed (SERVFAIL, REFUSED, timeout, truncation, malformed answer) or aliases looped.</summary>
    LookupFailed,
}
