using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Records;

/// <summary>
/// Files one of the caller's completed ledger transactions under a category: a record (expense when
/// money left an account the caller holds, income when it arrived) with the transaction's amount,
/// currency and date, so it counts in the caller's dashboard. Again with another category re-files it.
/// </summary>
public static class CategorizeTransaction
{
    public sealed record Request(string? Category, string? Notes);

    public static async Task<JsonBody> Handle(Guid id, Request request, ClaimsPrincipal principal, FinsoftDb db, Infrastructure.Security.PersonalData personal,
        TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Required("category", request.Category, RecordHandlers.CategoryMaxLength)
            .Optional("notes", request.Notes, RecordHandlers.NotesMaxLength);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var user = CurrentUser.From(principal);
        // Only the caller's own money can be its income or expense, whatever its role lets it read.
        var transaction = await db.Transactions.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
        var held = transaction is null ? [] : await db.Accounts.HeldBy(db, user.Id)
            .Where(a => a.Id == transaction.OriginAccountId || a.Id == transaction.DestinationAccountId).Select(a => a.Id).ToListAsync(ct);
        var leaves = transaction?.OriginAccountId is { } origin && held.Contains(origin);
        var arrives = transaction?.DestinationAccountId is { } destination && held.Contains(destination);
        if (transaction is null || !(leaves || arrives))
        {
            return ApiResults.NotFound("Transaction not found");
        }
        if (leaves && arrives)
        {
            return ApiResults.Conflict("A movement between your own accounts is neither income nor expense");
        }
        if (transaction.Status != TransactionLifecycle.Wire(TransactionStatus.Completed))
        {
            return ApiResults.Conflict("Only a completed transaction can be categorised");
        }
        var now = time.UtcNow();
        var row = await db.Records.FirstOrDefaultAsync(r => r.UserId == user.Id && r.TransactionId == id, ct);
        if (row is null)
        {
            row = new RecordRow
            {
                Id = Guid.CreateVersion7(), UserId = user.Id, TransactionId = id, Amount = transaction.Amount, Currency = transaction.Currency,
                Type = leaves ? RecordType.Expense : RecordType.Income, Category = "", Date = DateOnly.FromDateTime(transaction.CreatedAt),
                CreatedAt = now,
            };
            db.Records.Add(row);
        }
        row.Category = request.Category!.Trim();
        var key = await personal.KeyOfAsync(db, user.Id, ct);
        row.Notes = string.IsNullOrWhiteSpace(request.Notes) ? row.Notes : key.Seal(request.Notes.Trim());
        row.DeletedAt = null;
        row.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
        {
            return ApiResults.Conflict("The transaction was categorised at the same moment; try again");
        }
        return ApiResults.Ok(RecordDto.From(row, key));
    }
}
