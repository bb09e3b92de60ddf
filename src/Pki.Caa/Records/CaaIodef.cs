namespace Pki.Caa;

/// <summary>
/// The <c>iodef</c> property value (RFC 8659 section 4.4): "The iodef Property takes a URL as its
/// Property Value. The URL scheme type determines the method used for reporting": <c>mailto</c>
/// (email) and <c>http</c>/<c>https</c> (RFC 6546 web service).
/// </summary>
public static class CaaIodef
{
    /// <summary>Parses an iodef URL; throws <see cref="CaaFormatException"/> for anything but an absolute mailto, http or https URL.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static Uri Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!TryParse(value, out var uri, out var error))
        {
            throw new CaaFormatException(error!, value, 0);
        }

        return uri!;
    }

    /// <summary>Like <see cref="Parse(string)"/> but returns false (and a null <paramref name="uri"/>) instead of throwing, also for null.</summary>
    public static bool TryParse(string? value, out Uri? uri) => TryParse(value, out uri, out _);

    internal static bool TryParse(string? value, out Uri? uri, out string? error)
    {
        uri = null;
        error = null;
        if (value is null || !Uri.TryCreate(value, UriKind.Absolute, out var parsed))
        {
            error = $"The iodef value '{value}' is not an absolute URL; use mailto:, http: or https: (RFC 8659 section 4.4).";
            return false;
        }

        if (parsed.Scheme == Uri.UriSchemeMailto)
        {
            var address = value.Substring("mailto:".Length);
            var at = address.LastIndexOf('@');
            if (at <= 0 || at == address.Length - 1)
            {
                error = $"The iodef value '{value}' is a mailto: URL without a mailbox such as mailto:security@example.com.";
                return false;
            }
        }
        else if (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps)
        {
            error = $"The iodef value '{value}' uses the scheme '{parsed.Scheme}'; RFC 8659 section 4.4 defines mailto:, http: and https:.";
            return false;
        }
        else if (string.IsNullOrEmpty(parsed.Host))
        {
            error = $"The iodef value '{value}' has no host.";
            return false;
        }

        uri = parsed;
        return true;
    }
}
