using Finsoft.Api.MoneyPath.Verification;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Ledger;

public static class LedgerEndpoints
{
    public static IEndpointRouteBuilder MapLedger(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/ledger/verify", async (LedgerVerifier verifier, CancellationToken ct) => ApiResults.Ok(await verifier.VerifyAsync(ct)))
            .WithTags("Ledger").RequireAuthorization(Policies.Insights)
            .Produces<LedgerVerifier.Report>().ProducesError(401, 403);
        app.MapGet("/api/v1/ledger/analytics", LedgerAnalytics.Handle).WithTags("Ledger").RequireAuthorization(Policies.Insights)
            .Produces<LedgerAnalytics.Report>().ProducesError(400, 401, 403, 422);
        return app;
    }
}
