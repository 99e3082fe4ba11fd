using Finsoft.Api.Features.Transactions;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Idempotency;

namespace Finsoft.Api.Features.Accounts;

public static class AccountsEndpoints
{
    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/api/v1/accounts").WithTags("Accounts").RequireAuthorization();
        accounts.MapGet("/", ListAccounts.Handle).Produces<List<AccountDto>>().ProducesProblem(422);
        accounts.MapPost("/", CreateAccount.Handle).Produces<AccountDto>(201).ProducesProblem(422).ProducesProblem(400);
        accounts.MapGet("/available-balance", AvailableBalance.Handle).Produces<AvailableBalance.Response>().ProducesProblem(422);
        accounts.MapGet("/{id:guid}", GetAccount.Handle).Produces<AccountDto>().ProducesProblem(404);
        accounts.MapDelete("/{id:guid}", DeleteAccount.Handle).Produces<Infrastructure.Http.StatusMessage>().ProducesProblem(404).ProducesProblem(409);
        accounts.MapPut("/{id:guid}", AdjustBalance.Handle).RequireAuthorization(Policies.Admin).WithIdempotency()
            .Produces<AccountDto>().ProducesProblem(404).ProducesProblem(422).ProducesProblem(403);
        accounts.MapGet("/{id:guid}/transactions", ListTransactions.HandleForAccount).Produces<List<TransactionDto>>().ProducesProblem(404);
        return app;
    }
}
