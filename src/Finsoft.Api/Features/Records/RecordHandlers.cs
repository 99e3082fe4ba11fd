using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Records;

/// <summary>Create, read, update, soft delete and restore of income/expense records.</summary>
public static class RecordHandlers
{
    public sealed record Request(
        [property: System.Text.Json.Serialization.JsonConverter(typeof(AmountTextConverter))] string? Amount, string? Currency, string? Type, string? Category, DateOnly? Date, string? Notes);

    public const int CategoryMaxLength = 100;
    public const int NotesMaxLength = 1000;

    public static async Task<JsonBody> Create(Request request, ClaimsPrincipal principal, FinsoftDb db, PersonalData personal, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var currency = validation.Currency("currency", request.Currency);
        var amount = currency is null ? null : validation.Amount("amount", request.Amount, currency);
        Check(validation, request.Type, request.Category, request.Date, request.Notes, required: true);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var now = time.UtcNow();
        var owner = CurrentUser.From(principal).Id;
        var key = await personal.KeyOfAsync(db, owner, ct);
        var row = new RecordRow
        {
            Id = Guid.CreateVersion7(), UserId = owner, Amount = amount!.Value.Minor, Currency = currency!.Code,
            Type = request.Type!, Category = request.Category!.Trim(), Date = request.Date!.Value, Notes = key.Seal(NullIfBlank(request.Notes)),
            CreatedAt = now, UpdatedAt = now,
        };
        db.Records.Add(row);
        await db.SaveChangesAsync(ct);
        return ApiResults.Created(RecordDto.From(row, key));
    }

    public static async Task<JsonBody> Get(Guid id, ClaimsPrincipal principal, FinsoftDb db, PersonalData personal, CancellationToken ct)
    {
        var row = await db.Records.AsNoTracking().VisibleTo(CurrentUser.From(principal)).FirstOrDefaultAsync(r => r.Id == id && r.DeletedAt == null, ct);
        return row is null ? NotFound() : ApiResults.Ok(RecordDto.From(row, await personal.KeyOfAsync(db, row.UserId, ct)));
    }

    /// <summary>
    /// Changes the fields given. A new currency needs its amount (the old minor units mean another sum in
    /// another currency); a record that categorises a ledger transaction keeps that transaction's amount,
    /// currency and date.
    /// </summary>
    public static async Task<JsonBody> Update(Guid id, Request request, ClaimsPrincipal principal, FinsoftDb db, PersonalData personal, TimeProvider time, CancellationToken ct)
    {
        var row = await db.Records.ChangeableBy(CurrentUser.From(principal)).FirstOrDefaultAsync(r => r.Id == id && r.DeletedAt == null, ct);
        if (row is null)
        {
            return NotFound();
        }
        var validation = new Validation();
        if (row.TransactionId is not null && (request.Amount is not null || request.Currency is not null || request.Date is not null))
        {
            validation.Add("amount", "amount, currency and date of a categorised transaction come from the ledger and cannot change.");
        }
        else if (request.Currency is not null && request.Amount is null)
        {
            validation.Add("amount", "give the amount with a new currency.");
        }
        var currency = validation.Currency("currency", request.Currency, Currency.Get(row.Currency));
        var amount = request.Amount is null || currency is null ? null : validation.Amount("amount", request.Amount, currency);
        Check(validation, request.Type, request.Category, request.Date, request.Notes, required: false);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        if (amount is { } money)
        {
            row.Amount = money.Minor;
            row.Currency = money.Currency.Code;
        }
        row.Type = request.Type ?? row.Type;
        row.Category = request.Category?.Trim() ?? row.Category;
        row.Date = request.Date ?? row.Date;
        var key = await personal.KeyOfAsync(db, row.UserId, ct);
        row.Notes = request.Notes is null ? row.Notes : key.Seal(NullIfBlank(request.Notes));
        row.UpdatedAt = time.UtcNow();
        await db.SaveChangesAsync(ct);
        return ApiResults.Ok(RecordDto.From(row, key));
    }

    public static async Task<JsonBody> Delete(Guid id, ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var now = time.UtcNow();
        var changed = await db.Records.ChangeableBy(CurrentUser.From(principal)).Where(r => r.Id == id && r.DeletedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.DeletedAt, now).SetProperty(r => r.UpdatedAt, now), ct);
        return changed == 1 ? ApiResults.Deleted("Record deleted") : NotFound();
    }

    public static async Task<JsonBody> Restore(Guid id, ClaimsPrincipal principal, FinsoftDb db, PersonalData personal, TimeProvider time, CancellationToken ct)
    {
        var now = time.UtcNow();
        var changed = await db.Records.ChangeableBy(CurrentUser.From(principal)).Where(r => r.Id == id && r.DeletedAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.DeletedAt, (DateTime?)null).SetProperty(r => r.UpdatedAt, now), ct);
        if (changed == 0)
        {
            return ApiResults.NotFound("No deleted record with this id");
        }
        var row = await db.Records.AsNoTracking().SingleAsync(r => r.Id == id, ct);
        return ApiResults.Ok(RecordDto.From(row, await personal.KeyOfAsync(db, row.UserId, ct)));
    }

    private static void Check(Validation validation, string? type, string? category, DateOnly? date, string? notes, bool required)
    {
        if (type is null ? required : type is not (RecordType.Income or RecordType.Expense))
        {
            validation.Add("type", "type must be income or expense.");
        }
        if (required || category is not null)
        {
            validation.Required("category", category, CategoryMaxLength);
        }
        if (required && date is null)
        {
            validation.Add("date", "date is required (YYYY-MM-DD).");
        }
        if (date is { } d && (d.Year < 1900 || d.Year > 2999))
        {
            validation.Add("date", "date must be between 1900 and 2999.");
        }
        validation.Optional("notes", notes, NotesMaxLength);
    }

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    public static JsonBody NotFound() => ApiResults.NotFound("Record not found");
}
