namespace Pki.KeyTransparency.Directory;

/// <summary>
/// The value a commitment opens to (draft-ietf-keytrans-protocol section 11.5):
/// <code>
/// struct {
///   select (Configuration.mode) {
///     case thirdPartyManagement:
///       opaque signature&lt;0..2^16-1&gt;;
///   };
/// } UpdateSuffix;
///
/// struct {
///   opaque value&lt;0..2^32-1&gt;;
///   UpdateSuffix suffix;
/// } UpdateValue;
/// </code>
/// </summary>
/// <param name="Value">The label's value at this version (e.g. an S/MIME certificate).</param>
/// <param name="Signature">The Service Operator's signature over <c>UpdateTBS</c>; present exactly when the log runs in Third-Party Management mode.</param>
internal sealed record UpdateValue(byte[] Value, byte[]? Signature = null)
{
    /// <summary>Writes the structure for a log in <paramref name="mode"/>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="mode">The log's deployment mode; decides whether the suffix holds a signature.</param>
    /// <exception cref="InvalidOperationException">The signature is present outside Third-Party Management, or missing in it.</exception>
    public void Write(TlsWriter writer, DeploymentMode mode)
    {
        var managed = mode == DeploymentMode.ThirdPartyManagement;
        if (managed != Signature is not null)
        {
            throw new InvalidOperationException(
                managed ? "A log in Third-Party Management mode needs the Service Operator's signature in UpdateValue.suffix." : $"UpdateValue.suffix carries a signature only in Third-Party Management mode, not in {mode}.");
        }

        writer.WriteOpaque(Value, 4, "UpdateValue.value");
        if (managed)
        {
            writer.WriteOpaque(Signature, 2, "UpdateSuffix.signature");
        }
    }

    /// <summary>Encodes the structure for a log in <paramref name="mode"/>.</summary>
    /// <param name="mode">The log's deployment mode.</param>
    /// <returns>The encoding.</returns>
    public byte[] Encode(DeploymentMode mode)
    {
        var writer = new TlsWriter(Value.Length + 8);
        Write(writer, mode);
        return writer.ToArray();
    }

    /// <summary>Decodes the structure for a log in <paramref name="mode"/>.</summary>
    /// <param name="encoded">The encoding, nothing after it.</param>
    /// <param name="mode">The log's deployment mode.</param>
    /// <returns>The value.</returns>
    /// <exception cref="DirectoryProofException"><see cref="DirectoryProofFailure.Malformed"/>.</exception>
    public static UpdateValue Decode(ReadOnlySpan<byte> encoded, DeploymentMode mode)
    {
        var reader = new TlsReader(encoded, nameof(UpdateValue));
        var value = reader.ReadOpaque(4, "value");
        var signature = mode == DeploymentMode.ThirdPartyManagement ? reader.ReadOpaque(2, "suffix.signature") : null;
        reader.End();
        return new UpdateValue(value, signature);
    }
}
