using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.Features.Transactions;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.Infrastructure.ReadReplica;

namespace Finsoft.Api.Features.Accounts;

public static class AccountsEndpoints
{
    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        // Reads are open to every role (scoped to what the caller may see); writes name their policy.
        var accounts = app.MapGroup("/api/v1/accounts").WithTags("Accounts").RequireAuthorization(Policies.SignedIn).ProducesError(400, 401);
        accounts.MapGet("/", ListAccounts.Handle).Produces<List<AccountDto>>().ProducesError(422);
        accounts.MapPost("/", CreateAccount.Handle).RequireAuthorization(Policies.MoveMoney).Produces<AccountDto>(201).ProducesError(422, 400, 403);
        accounts.MapGet("/available-balance", AvailableBalance.Handle).Produces<AvailableBalance.Response>().ProducesError(422);
        accounts.MapGet("/{id:guid}", GetAccount.Handle).Produces<AccountDto>().ProducesError(404);
        accounts.MapDelete("/{id:guid}", DeleteAccount.Handle).RequireAuthorization(Policies.MoveMoney)
            .Produces<Infrastructure.Http.StatusMessage>().ProducesError(403, 404, 409);
        accounts.MapPut("/{id:guid}", AdjustBalance.Handle).RequireAuthorization(Policies.Admin).WithIdempotencyKey()
            .Produces<AccountDto>().ProducesError(404, 422, 403);
        accounts.MapGet("/{id:guid}/balance", BalanceAsOf.Handle).Produces<BalanceAsOf.Response>().ProducesError(404);
        accounts.MapGet("/{id:guid}/limits", AccountLimits.Get).Produces<AccountLimitsView>().ProducesError(404);
        accounts.MapPut("/{id:guid}/limits", AccountLimits.Put).RequireAuthorization(Policies.Admin)
            .Produces<AccountLimitsView>().ProducesError(403, 404, 409, 422);
        accounts.MapGet("/{id:guid}/transactions", ListTransactions.HandleForAccount).ReadsFromReplica().Produces<List<TransactionDto>>().ProducesError(404);
        return app;
    }
}
