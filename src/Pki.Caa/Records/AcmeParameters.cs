namespace Pki.Caa;

/// <summary>
/// The RFC 8657 parameters of one issuer value: how many <c>accounturi</c> and
/// <c>validationmethods</c> parameters it has, and whether their values are valid.
/// </summary>
internal sealed class AcmeParameters
{
    public AcmeParameters(IReadOnlyList<CaaParameter> parameters)
    {
        for (var i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].HasTag(CaaParameter.AccountUri))
            {
                AccountUriCount++;
                AccountUri = parameters[i].Value;
            }
            else if (parameters[i].HasTag(CaaParameter.ValidationMethods))
            {
                ValidationMethodsCount++;
                ValidationMethods = parameters[i].Value;
            }
        }

        AccountUriIsValid = AccountUri is null || Uri.TryCreate(AccountUri, UriKind.Absolute, out _);
        ValidationMethodsAreValid = ValidationMethods is null || IsMethodList(ValidationMethods);
    }

    public int AccountUriCount { get; }

    /// <summary>The (last) accounturi value, or null.</summary>
    public string? AccountUri { get; }

    public bool AccountUriIsValid { get; }

    public int ValidationMethodsCount { get; }

    /// <summary>The (last) validationmethods value, or null.</summary>
    public string? ValidationMethods { get; }

    public bool ValidationMethodsAreValid { get; }

    /// <summary>Whether <paramref name="method"/> is one of the comma-separated labels of <see cref="ValidationMethods"/>.</summary>
    public bool AllowsMethod(string method)
    {
        var list = ValidationMethods!;
        var start = 0;
        for (var i = 0; i <= list.Length; i++)
        {
            if (i == list.Length || list[i] == ',')
            {
                if (i - start == method.Length && string.CompareOrdinal(list, start, method, 0, method.Length) == 0)
                {
                    return true;
                }

                start = i + 1;
            }
        }

        return false;
    }

    // RFC 8657 section 4: value = [*(label ",") label], label = 1*(ALPHA / DIGIT / "-").
    private static bool IsMethodList(string value)
    {
        if (value.Length == 0)
        {
            return true;
        }

        var start = 0;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i == value.Length || value[i] == ',')
            {
                if (!IsMethodLabel(value, start, i - start))
                {
                    return false;
                }

                start = i + 1;
            }
        }

        return true;
    }

    // RFC 8657 section 4: label = 1*(ALPHA / DIGIT / "-").
    internal static bool IsMethodLabel(string s, int start, int length)
    {
        if (length == 0)
        {
            return false;
        }

        for (var i = start; i < start + length; i++)
        {
            if (!(s[i] is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
