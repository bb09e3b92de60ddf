namespace Pki.Acme;

/// <summary>One progress event of an issuance, sent to <see cref="AcmeIssuanceRequest.Progress"/> in addition to the log.</summary>
/// <param name="Stage">The stage reached.</param>
/// <param name="Identifier">The identifier for the per-authorization stages (challenge presented, authorization valid, cleaned up); null for the order stages.</param>
/// <param name="Detail">A readable description: the order URL, the challenge type or the number of chains. Never key material.</param>
public sealed record AcmeIssuanceProgress(AcmeIssuanceStage Stage, AcmeIdentifier? Identifier, string Detail);
