using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;

namespace Finsoft.Api.MoneyPath.Idempotency;

/// <summary>What a request gets when its key has been seen before.</summary>
public static class IdempotentReplay
{
    public static JsonBody StillRunning => ApiResults.Conflict("A request with this Idempotency-Key is still being processed.").AsReplay("in_progress");

    public static JsonBody DifferentRequest => ApiResults.Unprocessable("Idempotency-Key was already used with a different request.").AsReplay("different_request");

    /// <summary>The stored response again (marked as a replay); 422 for a different request; 409 while the first is still running.</summary>
    public static JsonBody Of(IdempotencyKeyRow existing, string fingerprint)
    {
        if (existing.RequestHash != fingerprint)
        {
            return DifferentRequest;
        }
        if (existing.StatusCode is not { } status)
        {
            return StillRunning;
        }
        var replay = new JsonBody(status, existing.ResponseBody ?? "", status >= 400 ? ApiResults.ProblemContentType : "application/json");
        replay.Headers[IdempotencyTicket.ReplayedHeader] = "true";
        return replay.AsReplay("replayed");
    }
}
