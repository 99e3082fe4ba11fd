using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Ledger;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Psd2;

/// <summary>
/// The account information service for TPPs (Berlin Group AIS): the accounts a consent names, their balances and their
/// transactions, each only as far as the consent grants and the customer still holds the account.
/// </summary>
public static class AccountInformation
{
    public sealed record AccountList(IReadOnlyList<AccountView> Accounts);

    public sealed record AccountView(
        Guid ResourceId, string Currency, string Product, string? Clabe,
        [property: System.Text.Json.Serialization.JsonPropertyName("_links")] AccountLinks Links);

    public sealed record AccountLinks(
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] Link? Balances,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] Link? Transactions);

    public sealed record BalanceReport(AccountReference Account, IReadOnlyList<BalanceView> Balances);

    public sealed record AccountReference(Guid ResourceId, string Currency);

    /// <summary>`interimBooked`: every booked movement so far; `interimAvailable`: less what holds reserve.</summary>
    public sealed record BalanceView(string BalanceType, Amount BalanceAmount, DateTime ReferenceDateTime);

    public sealed record Amount(string Currency, string Value);

    public static async Task<JsonBody> ListAccounts(HttpContext http, ConsentGate gate, FinsoftDb db, CancellationToken ct)
    {
        var (admitted, refusal) = await gate.AdmitAsync(http, AccessKind.Accounts, null, ct);
        if (admitted is null)
        {
            return refusal!;
        }
        var (consent, access) = (admitted.Consent, admitted.Access);
        var named = access.AllAccounts;
        var rows = await db.OpenWallets().HeldBy(db, consent.UserId!.Value).AsNoTracking().Where(a => named.Contains(a.Id))
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToListAsync(ct);
        var self = $"{http.Request.PathBase}/api/v1/psd2/accounts";
        return ApiResults.Ok(new AccountList(rows.Select(a => new AccountView(a.Id, a.Currency, "wallet", a.Clabe, new AccountLinks(
            access.Grants(AccessKind.Balances, a.Id) ? new Link($"{self}/{a.Id}/balances") : null,
            access.Grants(AccessKind.Transactions, a.Id) ? new Link($"{self}/{a.Id}/transactions") : null))).ToList()));
    }

    public static async Task<JsonBody> ReadBalances(Guid id, HttpContext http, ConsentGate gate, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var (admitted, refusal) = await gate.AdmitAsync(http, AccessKind.Balances, id, ct);
        if (admitted is null)
        {
            return refusal!;
        }
        var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == id, ct);
        var currency = Currency.Get(account.Currency);
        var now = time.UtcNow();
        return ApiResults.Ok(new BalanceReport(new AccountReference(account.Id, account.Currency),
        [
            new BalanceView("interimBooked", new Amount(account.Currency, Money.Format(account.Balance, currency)), now),
            new BalanceView("interimAvailable", new Amount(account.Currency, Money.Format(account.Balance - account.Held, currency)), now),
        ]));
    }

    /// <summary>
    /// Newest first, a page at a time (`limit`, `cursor`, the Link header), optionally between two days (UTC). A bad parameter
    /// is FORMAT_ERROR before the consent is looked at, so it costs no access.
    /// </summary>
    public static async Task<JsonBody> ListTransactions(Guid id, [FromQuery(Name = "date_from")] DateOnly? dateFrom, [FromQuery(Name = "date_to")] DateOnly? dateTo,
        int? limit, string? cursor, HttpContext http, ConsentGate gate, FinsoftDb db, CancellationToken ct)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out _))
        {
            return await gate.FormatErrorAsync(http, AccessKind.Transactions, id, "limit must be 1 to 500, and cursor one this API gave.");
        }
        if (dateFrom > dateTo)
        {
            return await gate.FormatErrorAsync(http, AccessKind.Transactions, id, "date_from must not be after date_to.");
        }
        var (admitted, refusal) = await gate.AdmitAsync(http, AccessKind.Transactions, id, ct);
        if (admitted is null)
        {
            return refusal!;
        }
        var query = db.Transactions.Where(t => t.OriginAccountId == id || t.DestinationAccountId == id);
        if (dateFrom is { } from)
        {
            var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(t => t.CreatedAt >= start);
        }
        if (dateTo is { } to)
        {
            var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(t => t.CreatedAt < end);
        }
        // A compliance review is the bank's business, not the TPP's.
        return await PageResponse.ReadAsync(query, page, newestFirst: true, http.Request,
            t => TransactionDto.From(t) with { ReviewId = null, ReviewStatus = null }, ct);
    }
}
