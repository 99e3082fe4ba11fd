using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.Infrastructure.ReadReplica;

namespace Finsoft.Api.Features.Transactions;

public static class TransactionsEndpoints
{
    public static IEndpointRouteBuilder MapTransactions(this IEndpointRouteBuilder app)
    {
        var transactions = app.MapGroup("/api/v1/transactions").WithTags("Transactions").RequireAuthorization(Policies.SignedIn).ProducesError(400, 401);
        transactions.MapGet("/", ListTransactions.Handle).ReadsFromReplica().Produces<List<TransactionDto>>().ProducesError(422);
        transactions.MapGet("/{id:guid}", GetTransaction.Handle).Produces<TransactionDto>().ProducesError(404);
        // Every money-moving endpoint hands its Idempotency-Key to the engine, which keeps it in the money's own transaction.
        transactions.MapPost("/transfer", Transfer.Handle).RequireAuthorization(Policies.MoveMoney).ProducesError(403).WithIdempotencyKey()
            .Produces<MovementResponse>(201).ProducesError(400, 404, 422);
        transactions.MapPost("/batch", TransferBatch.Handle).RequireAuthorization(Policies.MoveMoney).ProducesError(403).Produces<TransferBatch.Response>().ProducesError(422);
        transactions.MapPost("/withdrawal", Withdrawal.Handle).RequireAuthorization(Policies.MoveMoney).ProducesError(403).WithIdempotencyKey()
            .Produces<MovementResponse>(202).ProducesError(400, 404, 422);
        transactions.MapPost("/deposit", Deposit.Handle).RequireAuthorization(Policies.Admin).WithIdempotencyKey()
            .Produces<MovementResponse>(201).ProducesError(403, 404, 422);
        transactions.MapPost("/{id:guid}/reverse", Reverse.Handle).RequireAuthorization(Policies.MoveMoney).ProducesError(403).WithIdempotencyKey()
            .Produces<MovementResponse>(201).ProducesError(400, 404, 409);
        transactions.MapPost("/{id:guid}/capture", Holds.Capture).RequireAuthorization(Policies.MoveMoney).ProducesError(403).WithIdempotencyKey()
            .Produces<MovementResponse>().ProducesError(404, 409, 422);
        transactions.MapPost("/{id:guid}/void", Holds.Void).RequireAuthorization(Policies.MoveMoney).ProducesError(403).WithIdempotencyKey()
            .Produces<MovementResponse>().ProducesError(404, 409);
        transactions.MapPost("/{id:guid}/retry", RetryWithdrawal.Handle).RequireAuthorization(Policies.MoveMoney).ProducesError(403).WithIdempotencyKey()
            .Produces<MovementResponse>(202).ProducesError(404, 409);
        return app;
    }
}
