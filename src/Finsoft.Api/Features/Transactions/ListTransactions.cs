using Finsoft.Api.MoneyPath.Outbox;
using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Transactions;

public static class ListTransactions
{
    public static async Task<JsonBody> Handle(string? type, string? status, [FromQuery(Name = "account_id")] Guid? accountId, DateTime? from, DateTime? to,
        int? limit, string? cursor, HttpRequest http, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct)
    {
        var validation = new Validation();
        var parsedType = TransactionLifecycle.ParseType(type);
        var parsedStatus = TransactionLifecycle.ParseStatus(status);
        if (type is not null && parsedType is null)
        {
            validation.Add("type", "type must be one of TRANSFER, DEPOSIT, WITHDRAWAL, ADJUSTMENT, REVERSAL.");
        }
        if (status is not null && parsedStatus is null)
        {
            validation.Add("status", "status must be one of PENDING, PROCESSING, COMPLETED, FAILED.");
        }
        if (from > to)
        {
            validation.Add("from", "from must not be after to.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var user = CurrentUser.From(principal);
        var query = await db.TransactionsVisibleToAsync(user, ct);
        if (parsedType is { } t)
        {
            var wire = TransactionLifecycle.Wire(t);
            query = query.Where(x => x.Type == wire);
        }
        if (parsedStatus is { } s)
        {
            var wire = TransactionLifecycle.Wire(s);
            query = query.Where(x => x.Status == wire);
        }
        if (accountId is { } account)
        {
            query = query.Where(x => x.OriginAccountId == account || x.DestinationAccountId == account);
        }
        if (from is { } f)
        {
            var fromUtc = f.ToUniversalTime();
            query = query.Where(x => x.CreatedAt >= fromUtc);
        }
        if (to is { } u)
        {
            var toUtc = u.ToUniversalTime();
            query = query.Where(x => x.CreatedAt <= toUtc);
        }
        return await PageAsync(query, limit, cursor, http, user, ct);
    }

    public static async Task<JsonBody> HandleForAccount(Guid id, int? limit, string? cursor, HttpRequest http, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        if (await db.FindVisibleAsync(id, user, ct) is null)
        {
            return ApiResults.NotFound("Account not found");
        }
        return await PageAsync(db.Transactions.Where(t => t.OriginAccountId == id || t.DestinationAccountId == id), limit, cursor, http, user, ct);
    }

    /// <summary>Newest first, by (created_at, id) so rows created in the same instant are neither lost nor repeated.</summary>
    private static async Task<JsonBody> PageAsync(IQueryable<TransactionRow> query, int? limit, string? cursor, HttpRequest http, CurrentUser user,
        CancellationToken ct)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        Func<TransactionRow, TransactionDto> show = user.SeesEveryAccount ? TransactionDto.ForStaff : TransactionDto.From;
        return await PageResponse.ReadAsync(query, page, newestFirst: true, http, show, ct);
    }
}

public static class GetTransaction
{
    public static async Task<JsonBody> Handle(Guid id, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        var transaction = await (await db.TransactionsVisibleToAsync(user, ct)).AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
        return transaction is null ? ApiResults.NotFound("Transaction not found")
            : ApiResults.Ok(user.SeesEveryAccount ? TransactionDto.ForStaff(transaction) : TransactionDto.From(transaction));
    }
}
