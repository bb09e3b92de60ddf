using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pki.Caa;

namespace Pki.Smime.Internal;

/// <summary>
/// Start-up check of <see cref="SmimeServiceCollectionExtensions.AddSmimeIssuance"/>: the issuemail check
/// (section 4.2.2.1) needs an <see cref="IIssueMailAuthorizer"/> or a <c>Pki.Caa</c> <see cref="ICaaEvaluator"/>
/// unless <see cref="SmimeServiceOptions.SkipIssueMailCheck"/> is set. Looks at registrations only, so nothing
/// is constructed early.
/// </summary>
internal sealed class SmimeIssueMailCheckValidator(IServiceProvider services) : IValidateOptions<SmimeServiceOptions>
{
    internal const string MissingAuthorizer =
        "AddSmimeIssuance() needs a CAA evaluator for the issuemail check (S/MIME BR section 4.2.2.1): call services.AddCaaEvaluator() "
        + "(package Pki.Caa) or register an IIssueMailAuthorizer; set SmimeServiceOptions.SkipIssueMailCheck = true only for a "
        + "technically constrained sub-CA (section 7.1.5).";

    public ValidateOptionsResult Validate(string? name, SmimeServiceOptions options)
    {
        if (options.SkipIssueMailCheck || IsRegistered(typeof(IIssueMailAuthorizer)) || IsRegistered(typeof(ICaaEvaluator)))
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(MissingAuthorizer);
    }

    private bool IsRegistered(Type serviceType) =>
        services.GetService<IServiceProviderIsService>() is { } isService
            ? isService.IsService(serviceType)
            : services.GetService(serviceType) is not null;
}
