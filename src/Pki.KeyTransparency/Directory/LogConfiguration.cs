namespace Pki.KeyTransparency.Directory;

/// <summary>
/// A log's long-term configuration, signed into every tree head (draft-ietf-keytrans-protocol section 11.2):
/// <code>
/// struct {
///   CipherSuite ciphersuite;
///   DeploymentMode mode;
///   opaque signature_public_key&lt;0..2^16-1&gt;;
///   opaque vrf_public_key&lt;0..2^16-1&gt;;
///
///   select (Configuration.mode) {
///     case thirdPartyManagement:
///       opaque leaf_public_key&lt;0..2^16-1&gt;;
///     case thirdPartyAuditing:
///       uint64 max_auditor_lag;
///       uint64 auditor_start_pos;
///       opaque auditor_public_key&lt;0..2^16-1&gt;;
///   };
///
///   uint64 max_ahead;
///   uint64 max_behind;
///   uint64 reasonable_monitoring_window;
///   optional&lt;uint64&gt; maximum_lifetime;
/// } Configuration;
/// </code>
/// Durations are milliseconds.
/// </summary>
internal sealed record LogConfiguration
{
    /// <summary>The cipher suite.</summary>
    public required KeyTransparencyCipherSuite CipherSuite { get; init; }

    /// <summary>The deployment mode.</summary>
    public required DeploymentMode Mode { get; init; }

    /// <summary>The tree head signing key: an uncompressed SEC 1 point (P-256) or 32 bytes (Ed25519).</summary>
    public required byte[] SignaturePublicKey { get; init; }

    /// <summary>The VRF public key: a compressed SEC 1 point (P-256) or 32 bytes (Edwards25519).</summary>
    public required byte[] VrfPublicKey { get; init; }

    /// <summary>The Service Operator's key for <c>UpdateTBS</c> signatures; exactly in Third-Party Management mode.</summary>
    public byte[]? LeafPublicKey { get; init; }

    /// <summary>How far the auditor may lag (Third-Party Auditing).</summary>
    public ulong MaxAuditorLag { get; init; }

    /// <summary>The first log entry the auditor processed (Third-Party Auditing).</summary>
    public ulong AuditorStartPosition { get; init; }

    /// <summary>The auditor's key; exactly in Third-Party Auditing mode.</summary>
    public byte[]? AuditorPublicKey { get; init; }

    /// <summary>How far a tree head may be ahead of the user's clock.</summary>
    public ulong MaxAhead { get; init; }

    /// <summary>How far a tree head may be behind the user's clock.</summary>
    public ulong MaxBehind { get; init; }

    /// <summary>The Reasonable Monitoring Window (section 6.1).</summary>
    public ulong ReasonableMonitoringWindow { get; init; }

    /// <summary>The maximum lifetime of log entries (section 7.1), when the log defines one.</summary>
    public ulong? MaximumLifetime { get; init; }

    /// <summary>Writes the structure.</summary>
    /// <param name="writer">The destination.</param>
    /// <exception cref="InvalidOperationException">A mode-specific key is missing for its mode or present for another.</exception>
    public void Write(TlsWriter writer)
    {
        CheckModeKeys();
        writer.WriteUInt16(CipherSuite.Id);
        writer.WriteUInt8((byte)Mode);
        writer.WriteOpaque(SignaturePublicKey, 2, "Configuration.signature_public_key");
        writer.WriteOpaque(VrfPublicKey, 2, "Configuration.vrf_public_key");
        if (Mode == DeploymentMode.ThirdPartyManagement)
        {
            writer.WriteOpaque(LeafPublicKey, 2, "Configuration.leaf_public_key");
        }
        else if (Mode == DeploymentMode.ThirdPartyAuditing)
        {
            writer.WriteUInt64(MaxAuditorLag);
            writer.WriteUInt64(AuditorStartPosition);
            writer.WriteOpaque(AuditorPublicKey, 2, "Configuration.auditor_public_key");
        }

        writer.WriteUInt64(MaxAhead);
        writer.WriteUInt64(MaxBehind);
        writer.WriteUInt64(ReasonableMonitoringWindow);
        writer.WriteOptionalUInt64(MaximumLifetime);
    }

    /// <summary>Encodes the structure.</summary>
    /// <returns>The TLS encoding.</returns>
    public byte[] Encode()
    {
        var writer = new TlsWriter();
        Write(writer);
        return writer.ToArray();
    }

    /// <summary>Decodes a configuration.</summary>
    /// <param name="encoded">The encoding, nothing after it.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/> or <see cref="DirectoryProofFailure.UnsupportedCipherSuite"/>.</exception>
    public static LogConfiguration Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new TlsReader(encoded, "Configuration");
        var suite = KeyTransparencyCipherSuite.FromId(reader.ReadUInt16("ciphersuite"));
        var mode = reader.ReadUInt8("mode");
        if (mode is < 1 or > 3)
        {
            throw reader.Fail("mode", $"is {mode}; only contactMonitoring(1), thirdPartyManagement(2) and thirdPartyAuditing(3) are defined");
        }

        var signatureKey = reader.ReadOpaque(2, "signature_public_key");
        var vrfKey = reader.ReadOpaque(2, "vrf_public_key");
        byte[]? leafKey = null, auditorKey = null;
        ulong lag = 0, start = 0;
        if (mode == (byte)DeploymentMode.ThirdPartyManagement)
        {
            leafKey = reader.ReadOpaque(2, "leaf_public_key");
        }
        else if (mode == (byte)DeploymentMode.ThirdPartyAuditing)
        {
            lag = reader.ReadUInt64("max_auditor_lag");
            start = reader.ReadUInt64("auditor_start_pos");
            auditorKey = reader.ReadOpaque(2, "auditor_public_key");
        }

        var ahead = reader.ReadUInt64("max_ahead");
        var behind = reader.ReadUInt64("max_behind");
        var window = reader.ReadUInt64("reasonable_monitoring_window");
        ulong? lifetime = reader.ReadPresence("maximum_lifetime") ? reader.ReadUInt64("maximum_lifetime") : null;
        reader.End();
        return new LogConfiguration
        {
            CipherSuite = suite,
            Mode = (DeploymentMode)mode,
            SignaturePublicKey = signatureKey,
            VrfPublicKey = vrfKey,
            LeafPublicKey = leafKey,
            MaxAuditorLag = lag,
            AuditorStartPosition = start,
            AuditorPublicKey = auditorKey,
            MaxAhead = ahead,
            MaxBehind = behind,
            ReasonableMonitoringWindow = window,
            MaximumLifetime = lifetime,
        };
    }

    private void CheckModeKeys()
    {
        if ((Mode == DeploymentMode.ThirdPartyManagement) != LeafPublicKey is not null
            || (Mode == DeploymentMode.ThirdPartyAuditing) != AuditorPublicKey is not null)
        {
            throw new InvalidOperationException($"In {Mode} mode the configuration carries {(Mode switch { DeploymentMode.ThirdPartyManagement => "leaf_public_key and no auditor key", DeploymentMode.ThirdPartyAuditing => "auditor_public_key and no leaf key", _ => "neither leaf_public_key nor auditor_public_key" })}.");
        }
    }
}
