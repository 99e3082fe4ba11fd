using Finsoft.Api.Infrastructure.Http;
using Finsoft.Ledger;

namespace Finsoft.Api.MoneyPath.Store;

/// <summary>The one mapping from a ledger outcome to an HTTP problem.</summary>
public static class LedgerProblems
{
    public static JsonBody ToProblem(this LedgerError error) =>
        ApiResults.Problem(StatusOf(error.Code), error.Message, errorCode: System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(error.Code.ToString()));

    public static int StatusOf(LedgerErrorCode code) => code switch
    {
        // Seed 000 answers an overdraft with 400, and clients depend on it.
        LedgerErrorCode.InsufficientFunds => StatusCodes.Status400BadRequest,
        LedgerErrorCode.OriginNotFound or LedgerErrorCode.DestinationNotFound or LedgerErrorCode.AccountNotFound
            or LedgerErrorCode.TransactionNotFound => StatusCodes.Status404NotFound,
        LedgerErrorCode.AccountNotEmpty or LedgerErrorCode.NotReversible or LedgerErrorCode.AlreadyReversed
            or LedgerErrorCode.IllegalTransition or LedgerErrorCode.LimitNotMet or LedgerErrorCode.ComplianceReview
            or LedgerErrorCode.PeriodClosed => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status422UnprocessableEntity, // RiskBlocked too: the request is understood and refused as it stands
    };

    /// <summary>Unwraps a unit of work: its body on success, its problem otherwise.</summary>
    public static JsonBody ToResponse(this Result<JsonBody> result) => result.IsSuccess ? result.Value : result.Error!.ToProblem();
}
