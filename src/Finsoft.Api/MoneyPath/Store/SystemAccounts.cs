using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Store;

/// <summary>
/// The platform's own accounts, one of each per currency, created on first use. Their ids are
/// derived from (code, currency), so the money path never has to look them up.
/// </summary>
public sealed class SystemAccounts(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>Cash the platform holds at its settlement bank (asset).</summary>
    public const string BankSettlement = "bank_settlement";

    /// <summary>Balance corrections made by admins (equity).</summary>
    public const string Adjustments = "adjustments";

    /// <summary>The other side of each currency's leg of a conversion; across currencies their balances are the platform's FX position.</summary>
    public const string FxConversion = "fx_conversion";

    /// <summary>What payment providers have collected for the platform and not yet paid out to it, less refunds (asset).</summary>
    public const string ProviderClearing = "provider_clearing";

    /// <summary>The platform's fees on pay-ins (income).</summary>
    public const string FeeIncome = "fee_income";

    /// <summary>Interest charged on loans (income).</summary>
    public const string LoanInterestIncome = "loan_interest_income";

    /// <summary>The income of fiscal years closed, moved here by each year's closing entry (equity).</summary>
    public const string RetainedEarnings = "retained_earnings";

    /// <summary>Origination and late fees on loans (income).</summary>
    public const string LoanFeeIncome = "loan_fee_income";

    /// <summary>
    /// The code of every loan's own receivable account (an asset: what the borrower owes). Unlike the others there is one per
    /// loan, with the borrower as its user; <see cref="Features.Credit.LoanAccounts"/> creates them.
    /// </summary>
    public const string LoansReceivable = "loans_receivable";

    private static readonly Dictionary<string, string> Sides = new(StringComparer.Ordinal)
    {
        [LoanInterestIncome] = NormalSide.Credit,
        [LoanFeeIncome] = NormalSide.Credit,
        [ProviderClearing] = NormalSide.Debit,
        [FeeIncome] = NormalSide.Credit,
        [BankSettlement] = NormalSide.Debit,
        [Adjustments] = NormalSide.Credit,
        [FxConversion] = NormalSide.Credit,
        [RetainedEarnings] = NormalSide.Credit,
    };

    private readonly ConcurrentDictionary<Guid, bool> _known = new();

    public static Guid Id(string code, Currency currency) => NameBasedId($"finsoft-system-account:{code}:{currency.Code}");

    /// <summary>An id that follows from a name: the same name, the same id, on every node.</summary>
    public static Guid NameBasedId(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8: a name-based id of our own scheme
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    /// <summary>Makes sure the account exists, in its own short transaction, before a money transaction uses it.</summary>
    public async Task<Guid> EnsureAsync(string code, Currency currency, CancellationToken ct)
    {
        var id = Id(code, currency);
        if (_known.ContainsKey(id))
        {
            return id;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        if (!await db.Accounts.AnyAsync(a => a.Id == id, ct))
        {
            var now = time.UtcNow();
            db.Accounts.Add(new AccountRow
            {
                Id = id, Kind = AccountKind.System, SystemCode = code, Currency = currency.Code,
                NormalSide = Sides[code], CreatedAt = now, UpdatedAt = now,
            });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
            {
                // Another request or node created it first: that is the outcome we wanted.
            }
        }
        _known[id] = true;
        return id;
    }
}
