using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Payments;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Payments;

/// <summary>Payments as their payers see them (own), and as staff do (all).</summary>
public static class PaymentQueries
{
    public static async Task<JsonBody> List(string? status, DateTime? from, DateTime? to, int? limit, string? cursor, HttpRequest http,
        ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct)
    {
        var validation = new Validation();
        if (status is not null && !PaymentStatus.All.Contains(status))
        {
            validation.Add("status", $"status must be one of {string.Join(", ", PaymentStatus.All)}.");
        }
        if (from > to)
        {
            validation.Add("from", "from must not be after to.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        var query = VisibleTo(db, CurrentUser.From(principal));
        if (status is not null)
        {
            query = query.Where(p => p.Status == status);
        }
        if (from is { } f)
        {
            var fromUtc = f.ToUniversalTime();
            query = query.Where(p => p.CreatedAt >= fromUtc);
        }
        if (to is { } u)
        {
            var toUtc = u.ToUniversalTime();
            query = query.Where(p => p.CreatedAt <= toUtc);
        }
        return await PageResponse.ReadAsync(query, page, newestFirst: true, http, p => PaymentDto.From(p), ct);
    }

    public static async Task<JsonBody> Get(Guid id, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct)
    {
        var payment = await VisibleTo(db, CurrentUser.From(principal)).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (payment is null)
        {
            return ApiResults.NotFound("Payment not found");
        }
        var refundType = TransactionLifecycle.Wire(TransactionType.Refund);
        var refunds = await db.Transactions.AsNoTracking().Where(t => t.ReversalOfId == id && t.Type == refundType).OrderBy(t => t.CreatedAt).ToListAsync(ct);
        return ApiResults.Ok(PaymentDto.From(payment, refunds.Select(RefundDto.From).ToList()));
    }

    private static IQueryable<PaymentRow> VisibleTo(FinsoftDb db, CurrentUser user) =>
        user.SeesEveryAccount ? db.Payments.AsNoTracking() : db.Payments.AsNoTracking().Where(p => p.UserId == user.Id);
}
