namespace Pki.Acme;

/// <summary>The stages of one issuance (RFC 8555 section 7.1), in the order <see cref="AcmeCertificateIssuer"/> reaches them.</summary>
public enum AcmeIssuanceStage
{
    /// <summary>The order was created (section 7.4); <see cref="AcmeIssuanceProgress.Detail"/> is the order URL.</summary>
    OrderCreated,

    /// <summary>A solver presented a challenge response; the CA is told to validate it next.</summary>
    ChallengePresented,

    /// <summary>An authorization became valid, or was valid already (reused).</summary>
    AuthorizationValid,

    /// <summary>A solver removed what it presented (reported on success, failure and cancellation alike, unless the cleanup itself failed).</summary>
    ChallengeCleanedUp,

    /// <summary>Every authorization is valid and the order is ready to be finalized.</summary>
    OrderReady,

    /// <summary>The CSR was sent to the finalize URL.</summary>
    Finalized,

    /// <summary>The CA issued the certificate: the order is valid.</summary>
    OrderValid,

    /// <summary>The chain and its alternates were downloaded and verified; <see cref="AcmeIssuanceProgress.Detail"/> counts the chains kept.</summary>
    CertificateDownloaded,
}
