using Pki.Acme;

namespace Pki.Acme.Server.Protocol;

/// <summary>A request refused with an RFC 8555 problem document; the endpoint writes it with its status.</summary>
internal sealed class AcmeServerProblemException : Exception
{
    public AcmeServerProblemException(AcmeProblem problem)
        : base(problem.Detail) => Problem = problem;

    public AcmeProblem Problem { get; }

    public static AcmeServerProblemException Create(string type, string detail, int? status = null, IReadOnlyList<AcmeProblem>? subproblems = null, IReadOnlyList<string>? algorithms = null) =>
        new(new AcmeProblem { Type = type, Detail = detail, Status = status ?? StatusFor(type), Subproblems = subproblems, Algorithms = algorithms });

    public static AcmeServerProblemException Malformed(string detail) => Create(AcmeProblemTypes.Malformed, detail);

    public static AcmeServerProblemException Unauthorized(string detail) => Create(AcmeProblemTypes.Unauthorized, detail);

    public static AcmeServerProblemException NotFound(string detail) => Create(AcmeProblemTypes.Malformed, detail, 404);

    /// <summary>The HTTP status for a problem type (RFC 8555 section 6.7 leaves most to the server; these follow Boulder).</summary>
    public static int StatusFor(string type) => type switch
    {
        AcmeProblemTypes.Unauthorized or AcmeProblemTypes.OrderNotReady or AcmeProblemTypes.Caa or AcmeProblemTypes.AgreementRequired
            or AcmeProblemTypes.UserActionRequired or AcmeProblemTypes.ExternalAccountRequired => 403,
        AcmeProblemTypes.RateLimited => 429,
        AcmeProblemTypes.ServerInternal => 500,
        AcmeProblemTypes.AlreadyReplaced => 409,
        _ => 400,
    };
}
