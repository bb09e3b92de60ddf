using System.Text;

namespace Pki.Caa;

/// <summary>
/// The value of an <c>issue</c>, <c>issuewild</c> or <c>issuemail</c> property: an optional issuer
/// domain name and <c>;</c>-separated parameters. The grammar (RFC 8659 section 4.2):
/// <code>
/// issue-value = *WSP [issuer-domain-name *WSP]
///    [";" *WSP [parameters *WSP]]
/// issuer-domain-name = label *("." label)
/// label = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))
/// parameters = (parameter *WSP ";" *WSP parameters) / parameter
/// parameter = tag *WSP "=" *WSP value
/// tag = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))
/// value = *(%x21-3A / %x3C-7E)
/// </code>
/// </summary>
public sealed class CaaIssuerValue : IEquatable<CaaIssuerValue>
{
    private static readonly CaaParameter[] NoParameters = [];
    private readonly CaaParameter[] _parameters;
    private AcmeParameters? _acme;

    /// <summary>Creates a well-formed value; throws <see cref="CaaFormatException"/> when the issuer is not an LDH domain name.</summary>
    /// <param name="issuerDomainName">The issuer, e.g. <c>ca.example</c>; null for "no issuer" (<c>;</c>).</param>
    /// <param name="parameters">Parameters in order; null for none.</param>
    public CaaIssuerValue(string? issuerDomainName, IEnumerable<CaaParameter>? parameters = null)
    {
        if (issuerDomainName is not null && !IsIssuerDomainName(issuerDomainName))
        {
            throw new CaaFormatException(
                $"'{issuerDomainName}' is not an issuer domain name: RFC 8659 section 4.2 wants dot-separated labels of letters, digits and inner hyphens, without a trailing dot.",
                issuerDomainName,
                0);
        }

        IssuerDomainName = issuerDomainName;
        _parameters = parameters is null ? NoParameters : parameters.ToArray();
        for (var i = 0; i < _parameters.Length; i++)
        {
            if (_parameters[i] is null)
            {
                throw new ArgumentException($"Parameter {i} is null.", nameof(parameters));
            }
        }
    }

    private CaaIssuerValue(string? issuer, CaaParameter[] parameters, string? error)
    {
        IssuerDomainName = issuer;
        _parameters = parameters;
        MalformedReason = error;
    }

    /// <summary>The issuer domain name as written, or null when the value names no issuer (or is malformed).</summary>
    public string? IssuerDomainName { get; }

    /// <summary>The parameters in order (empty when malformed).</summary>
    public IReadOnlyList<CaaParameter> Parameters => _parameters;

    /// <summary>
    /// Whether the value did not match the grammar. RFC 8659 section 4.2: "An issue Property Tag where
    /// the issue-value does not match the ABNF grammar MUST be treated the same as one specifying an
    /// empty issuer-domain-name."
    /// </summary>
    public bool IsMalformed => MalformedReason is not null;

    /// <summary>Why the value is malformed (with the offset), or null.</summary>
    public string? MalformedReason { get; }

    /// <summary>Parses a property value. Never throws for malformed text: see <see cref="IsMalformed"/>.</summary>
    public static CaaIssuerValue Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return ParseCore(value);
    }

    /// <summary>The parameters whose tag equals <paramref name="tag"/> (ASCII case-insensitive).</summary>
    public IReadOnlyList<CaaParameter> GetParameters(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        List<CaaParameter>? found = null;
        foreach (var p in _parameters)
        {
            if (p.HasTag(tag))
            {
                (found ??= []).Add(p);
            }
        }

        return found is null ? NoParameters : found;
    }

    /// <summary>
    /// The canonical text: <c>issuer</c>, <c>issuer; k=v; k2=v2</c>, <c>;</c> for no issuer, or
    /// <c>; k=v</c>. A malformed value prints as <c>;</c>, the meaning the RFC gives it.
    /// </summary>
    public override string ToString()
    {
        if (_parameters.Length == 0)
        {
            return IssuerDomainName ?? ";";
        }

        var sb = new StringBuilder();
        sb.Append(IssuerDomainName);
        foreach (var p in _parameters)
        {
            sb.Append("; ").Append(p.Tag).Append('=').Append(p.Value);
        }

        return sb.ToString();
    }

    /// <inheritdoc />
    public bool Equals(CaaIssuerValue? other)
    {
        if (other is null)
        {
            return false;
        }

        if (!string.Equals(IssuerDomainName, other.IssuerDomainName, StringComparison.Ordinal)
            || !string.Equals(MalformedReason, other.MalformedReason, StringComparison.Ordinal)
            || _parameters.Length != other._parameters.Length)
        {
            return false;
        }

        for (var i = 0; i < _parameters.Length; i++)
        {
            if (!_parameters[i].Equals(other._parameters[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CaaIssuerValue);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(IssuerDomainName, StringComparer.Ordinal);
        hash.Add(_parameters.Length);
        foreach (var p in _parameters)
        {
            hash.Add(p);
        }

        return hash.ToHashCode();
    }

    /// <summary>The RFC 8657 parameters, analysed once per value (the evaluation hot path only compares).</summary>
    internal AcmeParameters Acme => _acme ??= new AcmeParameters(_parameters);

    /// <summary>An issuer domain name as given by a user: trimmed, without a trailing dot, ASCII lower case; null when it is not LDH.</summary>
    internal static string? NormalizeIssuer(string name)
    {
        var text = IdnName.ToLowerAscii(name.Trim().TrimEnd('.'));
        return IsIssuerDomainName(text) ? text : null;
    }

    internal static bool IsIssuerDomainName(string s)
    {
        if (s.Length == 0)
        {
            return false;
        }

        var start = 0;
        for (var i = 0; i <= s.Length; i++)
        {
            if (i == s.Length || s[i] == '.')
            {
                if (!IsLdhLabel(s, start, i - start))
                {
                    return false;
                }

                start = i + 1;
            }
        }

        return true;
    }

    internal static bool IsLdhLabel(string s, int start, int length)
    {
        if (length == 0 || !IsAlnum(s[start]) || !IsAlnum(s[start + length - 1]))
        {
            return false;
        }

        for (var i = start + 1; i < start + length - 1; i++)
        {
            if (!IsAlnum(s[i]) && s[i] != '-')
            {
                return false;
            }
        }

        return true;
    }

    internal static bool IsParameterValueChar(char c) => c is >= (char)0x21 and <= (char)0x3A or >= (char)0x3C and <= (char)0x7E;

    private static bool IsAlnum(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9';

    private static bool IsWsp(char c) => c is ' ' or '\t';

    private static CaaIssuerValue Malformed(string value, int at, string expected) =>
        new(null, NoParameters, $"'{value}' does not match the RFC 8659 section 4.2 grammar at offset {at}: {expected}");

    private static CaaIssuerValue ParseCore(string value)
    {
        var i = 0;
        var n = value.Length;
        while (i < n && IsWsp(value[i]))
        {
            i++;
        }

        string? issuer = null;
        if (i < n && IsAlnum(value[i]))
        {
            var start = i;
            while (i < n && (IsAlnum(value[i]) || value[i] is '-' or '.'))
            {
                i++;
            }

            var candidate = value.Substring(start, i - start);
            if (!IsIssuerDomainName(candidate))
            {
                return Malformed(value, start, $"'{candidate}' is not an issuer domain name (labels of letters, digits and inner hyphens)");
            }

            issuer = candidate;
            while (i < n && IsWsp(value[i]))
            {
                i++;
            }
        }

        if (i == n)
        {
            return new CaaIssuerValue(issuer, NoParameters, null);
        }

        if (value[i] != ';')
        {
            return Malformed(value, i, issuer is null ? "expected an issuer domain name or ';'" : $"expected ';' after the issuer '{issuer}'");
        }

        i++;
        while (i < n && IsWsp(value[i]))
        {
            i++;
        }

        if (i == n)
        {
            return new CaaIssuerValue(issuer, NoParameters, null);
        }

        var parameters = new List<CaaParameter>();
        while (true)
        {
            var tagStart = i;
            while (i < n && (IsAlnum(value[i]) || value[i] == '-'))
            {
                i++;
            }

            if (!IsLdhLabel(value, tagStart, i - tagStart))
            {
                return Malformed(value, tagStart, "expected a parameter tag (letters, digits and inner hyphens)");
            }

            var tag = value.Substring(tagStart, i - tagStart);
            while (i < n && IsWsp(value[i]))
            {
                i++;
            }

            if (i == n || value[i] != '=')
            {
                return Malformed(value, i, $"expected '=' after the parameter tag '{tag}'");
            }

            i++;
            while (i < n && IsWsp(value[i]))
            {
                i++;
            }

            var valueStart = i;
            while (i < n && IsParameterValueChar(value[i]))
            {
                i++;
            }

            parameters.Add(new CaaParameter(tag, value.Substring(valueStart, i - valueStart)));
            while (i < n && IsWsp(value[i]))
            {
                i++;
            }

            if (i == n)
            {
                return new CaaIssuerValue(issuer, parameters.ToArray(), null);
            }

            if (value[i] != ';')
            {
                return Malformed(value, i, $"expected ';' or the end after the value of parameter '{tag}'");
            }

            i++;
            while (i < n && IsWsp(value[i]))
            {
                i++;
            }

            if (i == n)
            {
                return Malformed(value, i, "expected a parameter after ';' (the grammar allows no trailing ';' after parameters)");
            }
        }
    }
}
