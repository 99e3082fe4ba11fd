using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Ledger;

namespace Finsoft.Api.Features.Records;

public sealed record RecordDto(
    Guid Id, Guid UserId, string Amount, string Currency, string Type, string Category, DateOnly Date, string? Notes,
    Guid? TransactionId, DateTime CreatedAt, DateTime UpdatedAt, DateTime? DeletedAt)
{
    /// <summary>The notes are sealed under the key of the person whose record it is (<paramref name="ownerKey"/>).</summary>
    public static RecordDto From(RecordRow r, PersonKey ownerKey) => new(r.Id, r.UserId, Money.Format(r.Amount, global::Finsoft.Ledger.Currency.Get(r.Currency)),
        r.Currency, r.Type, r.Category, r.Date, ownerKey.Open(r.Notes), r.TransactionId, r.CreatedAt, r.UpdatedAt, r.DeletedAt);
}

/// <summary>
/// Whose records a caller sees: its own; analysts and admins everyone's (and may filter by user).
/// Who may change one: its owner, or an admin. Anyone else gets "not found".
/// </summary>
public static class RecordAccess
{
    public static bool SeesEveryonesRecords(this CurrentUser user) => user.Role is Roles.Analyst or Roles.Admin;

    public static IQueryable<RecordRow> VisibleTo(this IQueryable<RecordRow> records, CurrentUser user) =>
        user.SeesEveryonesRecords() ? records : records.Where(r => r.UserId == user.Id);

    public static IQueryable<RecordRow> ChangeableBy(this IQueryable<RecordRow> records, CurrentUser user) =>
        user.IsAdmin ? records : records.Where(r => r.UserId == user.Id);
}
