namespace Pki.Shared;

/// <summary>
/// Reads an HTTP body whole, but never more than a limit: a server (or anything between) that
/// declares or sends more is refused as soon as it shows, so a hostile answer cannot exhaust memory.
/// One implementation for every package that reads server answers.
/// </summary>
internal static class BoundedHttpBody
{
    /// <exception cref="ResponseTooLargeException">The body declares or has more than <paramref name="maxBytes"/> bytes.</exception>
    public static async Task<byte[]> ReadAsync(HttpContent content, long maxBytes, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is long declared && declared > maxBytes)
        {
            throw new ResponseTooLargeException($"declares {declared} bytes; the limit is {maxBytes}");
        }

#if NET8_0_OR_GREATER
        using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
#else
        using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
#endif
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new ResponseTooLargeException($"is larger than the limit of {maxBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}

/// <summary>A body over the limit; the message completes a sentence about the body ("The response " + message).</summary>
internal sealed class ResponseTooLargeException : IOException
{
    public ResponseTooLargeException()
    {
    }

    public ResponseTooLargeException(string message)
        : base(message)
    {
    }

    public ResponseTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
