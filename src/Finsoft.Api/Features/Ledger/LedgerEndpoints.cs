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
        var verifications = app.MapGroup("/api/v1/ledger/verifications").WithTags("Ledger").RequireAuthorization(Policies.Insights).ProducesError(401, 403);
        verifications.MapPost("/", LedgerVerifications.Create).RequireAuthorization(Policies.Admin)
            .Produces<LedgerVerifications.VerificationDto>(202).ProducesError(400, 422);
        verifications.MapGet("/", LedgerVerifications.List).Produces<List<LedgerVerifications.VerificationDto>>().ProducesError(422);
        verifications.MapGet("/{id:guid}", LedgerVerifications.Get).Produces<LedgerVerifications.VerificationDto>().ProducesError(404);
        var archives = app.MapGroup("/api/v1/ledger/archives").WithTags("Ledger").RequireAuthorization(Policies.Insights).ProducesError(401, 403);
        archives.MapPost("/", LedgerArchives.Create).RequireAuthorization(Policies.Admin)
            .Produces<LedgerArchives.ArchiveDto>(201).ProducesError(400, 409, 422);
        archives.MapGet("/", LedgerArchives.List).Produces<List<LedgerArchives.ArchiveDto>>();
        app.MapGet("/api/v1/ledger/analytics", LedgerAnalytics.Handle).WithTags("Ledger").RequireAuthorization(Policies.Insights)
            .Produces<LedgerAnalytics.Report>().ProducesError(400, 401, 403, 422);
        return app;
    }
}
