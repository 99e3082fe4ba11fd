using System.Globalization;
using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Finsoft.Ledger.Credit;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Credit;

/// <summary>
/// Loans on the ledger: accepting an offer pays the loan out through the money engine (its receivable → the wallet, the
/// origination fee → fee income) with its schedule; the borrower repays early through the engine too; the worker
/// (<see cref="LoanServicing"/>) charges interest and debits installments as they fall due.
/// </summary>
public static class Loans
{
    public sealed record AcceptRequest(Guid? AccountId) : IIdempotentRequest;

    public sealed record RepayRequest([property: JsonConverter(typeof(AmountTextConverter))] string? Amount) : IIdempotentRequest;

    public sealed record NextInstallment(int Number, DateOnly DueOn, string Amount);

    public sealed record LoanDto(Guid Id, Guid UserId, Guid OfferId, Guid ProductId, Guid AccountId, Guid LoanAccountId, string Currency, string Principal,
        string Apr, int TermMonths, string Amortization, string OriginationFee, string LateFee, int GraceDays, string Status, string Outstanding,
        NextInstallment? NextInstallment, Guid DisbursementId, DateTime CreatedAt, DateTime? ClosedAt);

    public sealed record InstallmentDto(int Number, DateOnly DueOn, string Principal, string Interest, string LateFee, string Paid, string Owed,
        string Status, DateTime? LateSince, DateTime? PaidAt);

    public sealed record ScheduleDto(Guid LoanId, string Currency, List<InstallmentDto> Installments, string TotalPrincipal, string TotalInterest,
        string TotalLateFees, string TotalPaid, string Outstanding);

    public sealed record RepaymentDto(Guid TransactionId, Guid LoanId, string Amount, string Outstanding, string LoanStatus);

    public static async Task<JsonBody> Accept(Guid id, AcceptRequest? request, HttpContext http, FinsoftDb db, MoneyEngine engine, SystemAccounts system,
        TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var offer = await db.CreditOffers.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id && o.UserId == user.Id, ct);
        if (offer is null)
        {
            return ApiResults.NotFound("Credit offer not found");
        }
        var now = time.UtcNow();
        if (offer.AcceptedAt is not null)
        {
            return ApiResults.Problem(StatusCodes.Status409Conflict, "The offer was accepted already.", errorCode: "offer_accepted");
        }
        if (offer.ExpiresAt <= now)
        {
            return ApiResults.Problem(StatusCodes.Status409Conflict, "The offer has expired; ask for new offers.", errorCode: "offer_expired");
        }
        if (await db.CreditOffers.AnyAsync(o => o.ScoreId == offer.ScoreId && o.AcceptedAt != null, ct))
        {
            return ScoreUsed();
        }
        // The borrower's own wallet (not one it was granted): the installments are debited from it.
        var wallets = db.OpenWallets().AsNoTracking().Where(a => a.UserId == user.Id && a.Currency == offer.Currency);
        var wallet = request?.AccountId is { } chosen
            ? await wallets.FirstOrDefaultAsync(a => a.Id == chosen, ct)
            : await wallets.OrderBy(a => a.CreatedAt).FirstOrDefaultAsync(ct);
        if (wallet is null)
        {
            return new Validation().Add("account_id", $"an open {offer.Currency} wallet you own is needed to receive the loan.").Result;
        }
        var currency = Currency.Get(offer.Currency);
        var schedule = LoanSchedule.Build(new Money(offer.Amount, currency), decimal.Parse(offer.Apr, CultureInfo.InvariantCulture), offer.TermMonths,
            Products.MethodOf(offer.Amortization), DateOnly.FromDateTime(now)).Value;
        var loanAccount = await LoanAccounts.EnsureAsync(db, offer.Id, user.Id, currency, now, ct);
        var feeIncome = await system.EnsureAsync(SystemAccounts.LoanFeeIncome, currency, ct);
        var loan = new LoanRow
        {
            Id = Guid.CreateVersion7(), UserId = user.Id, OfferId = offer.Id, ProductId = offer.ProductId, AccountId = loanAccount, WalletId = wallet.Id,
            Currency = offer.Currency, Principal = offer.Amount, Apr = offer.Apr, TermMonths = offer.TermMonths, Amortization = offer.Amortization,
            OriginationFee = offer.OriginationFee, LateFee = offer.LateFee, GraceDays = offer.GraceDays, Status = LoanStatus.Active,
            CreatedAt = now, UpdatedAt = now,
        };
        var months = schedule.Installments.Select(i => new LoanInstallmentRow
        {
            LoanId = loan.Id, Number = i.Number, DueOn = i.DueOn, Principal = i.Principal, Interest = i.Interest, Status = InstallmentStatus.Scheduled,
        }).ToList();
        try
        {
            return await Disburse();
        }
        catch (LoanBook.LoanChangedException)
        {
            return ScoreUsed(); // another acceptance of this offer, or of another offer of its score, committed first
        }

        Task<JsonBody> Disburse() => engine.SubmitAsync(new MoneyOrder(
            new MoneyCommand.Lend(loanAccount, wallet.Id, new Money(offer.Amount, currency), feeIncome, new Money(offer.OriginationFee, currency)),
            outcome => outcome switch
            {
                MoneyOutcome.Made made => ApiResults.Created(ToDto(loan, months) with { DisbursementId = made.Transaction!.Id }),
                MoneyOutcome.Refused refused => refused.Error.ToProblem(),
                _ => throw new InvalidOperationException(),
            })
        {
            Initiator = user, Ticket = IdempotencyTicket.Of(http), MustHold = (wallet.Id, LedgerError.DestinationNotFound),
            Description = $"Loan of {Money.Format(offer.Amount, currency)} {currency.Code} over {offer.TermMonths} months",
            Then = LoanBook.Disbursed(loan, offer.ScoreId, months),
        }, ct);
    }

    private static JsonBody ScoreUsed() => ApiResults.Problem(StatusCodes.Status409Conflict,
        "The offer was accepted already, or a loan was taken on another offer of its score.", errorCode: "offer_accepted");

    /// <summary>Pays early: the months due first (interest, late fee, principal), the rest off the last months' principal.</summary>
    public static async Task<JsonBody> Repay(Guid id, RepayRequest request, HttpContext http, FinsoftDb db, MoneyEngine engine, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var loan = await db.Loans.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id && l.UserId == user.Id, ct);
        if (loan is null)
        {
            return NotFound();
        }
        if (loan.Status == LoanStatus.Closed)
        {
            return ApiResults.Problem(StatusCodes.Status409Conflict, "The loan is paid off.", errorCode: "loan_closed");
        }
        var currency = Currency.Get(loan.Currency);
        var validation = new Validation();
        if (validation.Amount("amount", request.Amount, currency) is not { } amount)
        {
            return validation.Result;
        }
        return await engine.SubmitAsync(new MoneyOrder(new MoneyCommand.Repay(loan.WalletId, loan.AccountId, amount), outcome => outcome switch
        {
            MoneyOutcome.Made made => ApiResults.Created(Repaid(made, loan, amount)),
            MoneyOutcome.Refused refused => refused.Error.ToProblem(),
            _ => throw new InvalidOperationException(),
        })
        {
            Initiator = user, Ticket = IdempotencyTicket.Of(http), MustHold = (loan.WalletId, LedgerError.OriginNotFound),
            Description = $"Repayment of loan {loan.Id}", Then = LoanBook.Repaid(loan.Id, amount.Minor),
        }, ct);
    }

    private static RepaymentDto Repaid(MoneyOutcome.Made made, LoanRow loan, Money amount)
    {
        var outstanding = made.Account(loan.AccountId)!.Balance; // the receivable just after: what the months still owe
        return new RepaymentDto(made.Transaction!.Id, loan.Id, amount.ToString(), Money.Format(outstanding, amount.Currency),
            outstanding == 0 ? LoanStatus.Closed : LoanStatus.Active);
    }

    public static async Task<JsonBody> Get(Guid id, HttpContext http, FinsoftDb db, CancellationToken ct)
    {
        var loan = await VisibleTo(db, CurrentUser.From(http.User)).FirstOrDefaultAsync(l => l.Id == id, ct);
        if (loan is null)
        {
            return NotFound();
        }
        var months = await db.LoanInstallments.AsNoTracking().Where(i => i.LoanId == id).OrderBy(i => i.Number).ToListAsync(ct);
        return ApiResults.Ok(ToDto(loan, months));
    }

    public static async Task<JsonBody> List(int? limit, string? cursor, HttpContext http, FinsoftDb db, CancellationToken ct)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        var rows = await PageResponse.ReadRowsAsync(VisibleTo(db, CurrentUser.From(http.User)), page, newestFirst: true, ct);
        var ids = rows.Select(l => l.Id).ToList();
        var months = (await db.LoanInstallments.AsNoTracking().Where(i => ids.Contains(i.LoanId)).ToListAsync(ct)).ToLookup(i => i.LoanId);
        return PageResponse.Of(http.Request, rows, page, l => ToDto(l, [.. months[l.Id].OrderBy(m => m.Number)]));
    }

    public static async Task<JsonBody> Schedule(Guid id, HttpContext http, FinsoftDb db, CancellationToken ct)
    {
        var loan = await VisibleTo(db, CurrentUser.From(http.User)).FirstOrDefaultAsync(l => l.Id == id, ct);
        if (loan is null)
        {
            return NotFound();
        }
        var months = await db.LoanInstallments.AsNoTracking().Where(i => i.LoanId == id).OrderBy(i => i.Number).ToListAsync(ct);
        var currency = Currency.Get(loan.Currency);
        string F(long minor) => Money.Format(minor, currency);
        return ApiResults.Ok(new ScheduleDto(loan.Id, loan.Currency,
            months.Select(m => new InstallmentDto(m.Number, m.DueOn, F(m.Principal), F(m.Interest), F(m.LateFee), F(m.Paid), F(m.Owed), m.Status, m.LateSince, m.PaidAt)).ToList(),
            F(months.Sum(m => m.Principal)), F(months.Sum(m => m.Interest)), F(months.Sum(m => m.LateFee)), F(months.Sum(m => m.Paid)), F(months.Sum(m => m.Owed))));
    }

    public static IQueryable<LoanRow> VisibleTo(FinsoftDb db, CurrentUser user) =>
        user.SeesEveryAccount ? db.Loans.AsNoTracking() : db.Loans.AsNoTracking().Where(l => l.UserId == user.Id);

    private static JsonBody NotFound() => ApiResults.NotFound("Loan not found");

    /// <summary>The loan as shown; what it owes is what its months owe (the receivable holds exactly that).</summary>
    public static LoanDto ToDto(LoanRow loan, IReadOnlyList<LoanInstallmentRow> months)
    {
        var currency = Currency.Get(loan.Currency);
        var next = months.FirstOrDefault(m => m.Status != InstallmentStatus.Paid);
        var nextAmount = next is null ? 0 : next.Charged ? next.Owed : next.Principal - next.PrincipalPaid + next.Interest;
        return new LoanDto(loan.Id, loan.UserId, loan.OfferId, loan.ProductId, loan.WalletId, loan.AccountId, loan.Currency,
            Money.Format(loan.Principal, currency), loan.Apr, loan.TermMonths, loan.Amortization, Money.Format(loan.OriginationFee, currency),
            Money.Format(loan.LateFee, currency), loan.GraceDays, loan.Status, Money.Format(months.Sum(m => m.Owed), currency),
            next is null ? null : new NextInstallment(next.Number, next.DueOn, Money.Format(nextAmount, currency)),
            loan.DisbursementId, loan.CreatedAt, loan.ClosedAt);
    }
}
