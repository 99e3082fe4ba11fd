using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Idempotency;

namespace Finsoft.Api.Features.Transactions;

public static class TransactionsEndpoints
{
    public static IEndpointRouteBuilder MapTransactions(this IEndpointRouteBuilder app)
    {
        var transactions = app.MapGroup("/api/v1/transactions").WithTags("Transactions").RequireAuthorization();
        transactions.MapGet("/", ListTransactions.Handle).Produces<List<TransactionDto>>().ProducesProblem(422);
        transactions.MapGet("/{id:guid}", GetTransaction.Handle).Produces<TransactionDto>().ProducesProblem(404);
        transactions.MapPost("/transfer", Transfer.Handle).WithIdempotency()
            .Produces<MovementResponse>(201).ProducesProblem(400).ProducesProblem(404).ProducesProblem(422);
        transactions.MapPost("/withdrawal", Withdrawal.Handle).WithIdempotency()
            .Produces<MovementResponse>(202).ProducesProblem(400).ProducesProblem(404).ProducesProblem(422);
        transactions.MapPost("/deposit", Deposit.Handle).RequireAuthorization(Policies.Admin).WithIdempotency()
            .Produces<MovementResponse>(201).ProducesProblem(403).ProducesProblem(404).ProducesProblem(422);
        transactions.MapPost("/{id:guid}/reverse", Reverse.Handle).WithIdempotency()
            .Produces<MovementResponse>(201).ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        return app;
    }
}
