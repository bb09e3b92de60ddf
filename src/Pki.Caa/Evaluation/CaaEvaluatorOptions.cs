using Microsoft.Extensions.Options;

namespace Pki.Caa;

/// <summary>Settings of <see cref="CaaEvaluator"/>: alias hop limit and the TTL cache. Out-of-range values throw from the constructor, or fail at start-up when registered with <c>AddCaaEvaluator</c>.</summary>
public sealed class CaaEvaluatorOptions
{
    /// <summary>The most CNAME steps followed for one name before the lookup is indeterminate (1 to 64, default 8).</summary>
    public int MaxAliasHops { get; set; } = 8;

    /// <summary>Upper bound on how long an answer is cached, whatever its TTL (default 1 hour; zero turns caching off).</summary>
    public TimeSpan MaxCacheTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many answers the cache holds at most (at least 1, default 10 000); when full, expired answers go first, then the whole cache is cleared.</summary>
    public int MaxCacheEntries { get; set; } = 10_000;
}

/// <summary>Validates <see cref="CaaEvaluatorOptions"/> at start-up.</summary>
internal sealed class CaaEvaluatorOptionsValidator : IValidateOptions<CaaEvaluatorOptions>
{
    public ValidateOptionsResult Validate(string? name, CaaEvaluatorOptions options)
    {
        var error = Check(options);
        return error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
    }

    public static string? Check(CaaEvaluatorOptions options)
    {
        var errors = new List<string>();
        if (options.MaxAliasHops is < 1 or > 64)
        {
            errors.Add($"CaaEvaluatorOptions.MaxAliasHops is {options.MaxAliasHops}; use 1 to 64.");
        }

        if (options.MaxCacheTtl < TimeSpan.Zero)
        {
            errors.Add($"CaaEvaluatorOptions.MaxCacheTtl is {options.MaxCacheTtl}; use zero (no cache) or a positive time.");
        }

        if (options.MaxCacheEntries < 1)
        {
            errors.Add($"CaaEvaluatorOptions.MaxCacheEntries is {options.MaxCacheEntries}; use at least 1.");
        }

        return errors.Count == 0 ? null : string.Join(" ", errors);
    }
}
