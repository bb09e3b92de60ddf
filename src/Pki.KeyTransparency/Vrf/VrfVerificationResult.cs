namespace Pki.KeyTransparency.Vrf;

/// <summary>The outcome of <see cref="IVrf.Verify"/>: valid with the output <c>beta</c>, or a typed failure.</summary>
public sealed class VrfVerificationResult
{
    private readonly byte[]? _output;

    private VrfVerificationResult(VrfFailure failure, string message, byte[]? output)
    {
        Failure = failure;
        Message = message;
        _output = output;
    }

    /// <summary>True when the proof verified; <see cref="Output"/> is then the VRF output.</summary>
    public bool IsValid => Failure == VrfFailure.None;

    /// <summary>Why verification failed, or <see cref="VrfFailure.None"/>.</summary>
    public VrfFailure Failure { get; }

    /// <summary>A sentence for logs saying what was wrong (or that the proof is valid); it names no key material.</summary>
    public string Message { get; }

    /// <summary>The VRF output <c>beta</c>; empty when invalid.</summary>
    public ReadOnlySpan<byte> Output => _output;

    /// <summary>Creates a valid result (for <see cref="IVrf"/> implementations).</summary>
    /// <param name="output">The output <c>beta</c>; the result keeps this array, so do not change it afterwards.</param>
    /// <returns>A result with <see cref="IsValid"/> true.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public static VrfVerificationResult Valid(byte[] output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return new(VrfFailure.None, "The proof is valid.", output);
    }

    /// <summary>Creates a failed result (for <see cref="IVrf"/> implementations).</summary>
    /// <param name="failure">The reason; <see cref="VrfFailure.None"/> throws <see cref="ArgumentException"/>.</param>
    /// <param name="message">A sentence saying what was wrong, without key material; becomes <see cref="Message"/>.</param>
    /// <returns>A result with <see cref="IsValid"/> false and an empty <see cref="Output"/>.</returns>
    public static VrfVerificationResult Fail(VrfFailure failure, string message)
    {
        if (failure == VrfFailure.None)
        {
            throw new ArgumentException("A failure needs a reason other than None.", nameof(failure));
        }

        return new(failure, message, null);
    }

    /// <summary>Returns the output, or throws when the proof did not verify.</summary>
    /// <returns>A new array with <c>beta</c>, owned by the caller.</returns>
    /// <exception cref="VrfException">The proof did not verify.</exception>
    public byte[] GetOutputOrThrow() => _output is null ? throw new VrfException(Failure, Message) : (byte[])_output.Clone();

    /// <inheritdoc />
    public override string ToString() => IsValid ? Message : $"{Failure}: {Message}";
}
