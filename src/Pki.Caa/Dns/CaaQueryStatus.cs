namespace Pki.Caa;

/// <summary>How a CAA query ended.</summary>
public enum CaaQueryStatus
{
    /// <summary>NOERROR: records, aliases, or no data.</summary>
    NoError,

    /// <summary>NXDOMAIN: the name does not exist; counts as an empty CAA RRset.</summary>
    NameError,

    /// <summary>SERVFAIL (RCODE 2): the server could not answer, e.g. a zone that did not load or a DNSSEC failure.</summary>
    ServerFailure,

    /// <summary>REFUSED (RCODE 5): the server will not answer for this name, e.g. a zone it does not serve.</summary>
    Refused,

    /// <summary>No answer in time, or the server could not be reached.</summary>
    Timeout,

    /// <summary>The answer was truncated and could not be had in full.</summary>
    Truncated,

    /// <summary>Another response code (FORMERR, NOTIMP, ...).</summary>
    OtherError,

    /// <summary>The answer could not be read (broken RDATA, undecodable values).</summary>
    MalformedResponse,
}
