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

    /// <summary>True when the proof verified.</summary>
    public bool IsValid => Failure == VrfFailure.None;

    /// <summary>Why verification failed, or <see cref="VrfFailure.None"/>.</summary>
    public VrfFailure Failure { get; }

    /// <summary>A sentence saying what was wrong.</summary>
    public string Message { get; }

    /// <summary>The VRF output <c>beta</c>; empty when invalid.</summary>
    public ReadOnlySpan<byte> Output => _output;

    /// <summary>Creates a valid result.</summary>
    /// <param name="output">The output beta.</param>
    /// <returns>The result.</returns>
    public static VrfVerificationResult Valid(byte[] output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return new(VrfFailure.None, "The proof is valid.", output);
    }

    /// <summary>Creates a failed result.</summary>
    /// <param name="failure">The reason (not None).</param>
    /// <param name="message">The explanation.</param>
    /// <returns>The result.</returns>
    public static VrfVerificationResult Fail(VrfFailure failure, string message)
    {
        if (failure == VrfFailure.None)
        {
            throw new ArgumentException("A failure needs a reason other than None.", nameof(failure));
        }

        return new(failure, message, null);
    }

    /// <summary>Returns the output, or throws when the proof did not verify.</summary>
    /// <returns>A copy of beta.</returns>
    /// <exception cref="VrfException">The proof did not verify.</exception>
    public byte[] GetOutputOrThrow() => _output is null ? throw new VrfException(Failure, Message) : (byte[])_output.Clone();

    /// <inheritdoc />
    public override string ToString() => IsValid ? Message : $"{Failure}: {Message}";
}
