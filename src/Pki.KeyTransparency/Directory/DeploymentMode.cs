namespace Pki.KeyTransparency.Directory;

/// <summary>The <c>DeploymentMode</c> of a log (draft-ietf-keytrans-protocol section 11.2), a <c>uint8</c> on the wire.</summary>
internal enum DeploymentMode : byte
{
    /// <summary>Contact Monitoring: users monitor their contacts' labels.</summary>
    ContactMonitoring = 1,

    /// <summary>Third-Party Management: a third party signs tree heads, the Service Operator signs updates.</summary>
    ThirdPartyManagement = 2,

    /// <summary>Third-Party Auditing: an auditor signs its view of the log.</summary>
    ThirdPartyAuditing = 3,
}
