using Finsoft.Api.Features.Accounts;
using Finsoft.Api.Features.Reports;
using Finsoft.Api.Features.Transactions;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>
/// One wallet: balance, available, on hold and its floor, the holds open on it, its movements a page at a time, its statement
/// in each format, and for admins a deposit and an adjustment. Both go through the API's handlers with an idempotency key the
/// form was given when it was drawn, so a second press of the button (or a resent form) moves the money once.
/// </summary>
public sealed class AccountModel(FinsoftDb db, PersonalData personal, TimeProvider time) : FormPageModel
{
    public AccountDto? Account { get; private set; }

    public string? Holder { get; private set; }

    public AccountLimitsView? Limits { get; private set; }

    public IReadOnlyList<TransactionDto> Holds { get; private set; } = [];

    public IReadOnlyList<TransactionDto> Movements { get; private set; } = [];

    public string? OlderMovements { get; private set; }

    public string DepositKey { get; private set; } = "";

    public string AdjustmentKey { get; private set; } = "";

    public Task<IActionResult> OnGetAsync(Guid id, string? cursor, CancellationToken ct) => ShowAsync(id, ct, cursor);

    /// <summary>The statement, as <c>GET /accounts/{id}/statement</c> answers it (pdf, csv, xlsx or json).</summary>
    public async Task<IActionResult> OnGetStatementAsync(Guid id, string? format, CancellationToken ct)
    {
        var file = await Statement.Handle(id, null, null, format, User, db, personal, time, ct);
        await file.ExecuteAsync(HttpContext);
        return new EmptyResult();
    }

    public async Task<IActionResult> OnPostDepositAsync(Guid id, string? amount, string? description, string? key, [FromServices] AccountFacts accounts,
        [FromServices] MoneyEngine engine, [FromServices] SystemAccounts system, CancellationToken ct)
    {
        if (!User.IsInRole(Roles.Admin))
        {
            return Forbid(ConsoleSetup.Scheme);
        }
        var request = new Deposit.Request(id, amount, string.IsNullOrWhiteSpace(description) ? null : description.Trim(), null);
        Tell(await MoneyActions.RunAsync(HttpContext, db, key, "accounts/deposit", request,
            () => Deposit.Handle(request, HttpContext, db, accounts, engine, system, time, ct), ct),
            answer =>
            {
                var deposited = Answers.Read<TransactionDto>(answer);
                return $"Deposited {deposited.Amount} {deposited.Currency}.";
            });
        return await AnsweredAsync(() => ShowAsync(id, ct));
    }

    /// <summary>Sets the balance to a figure: the engine posts the difference against the adjustments account (PUT /accounts/{id}).</summary>
    public async Task<IActionResult> OnPostAdjustAsync(Guid id, string? balance, string? description, string? key, bool confirm,
        [FromServices] MoneyEngine engine, [FromServices] SystemAccounts system, CancellationToken ct)
    {
        if (!User.IsInRole(Roles.Admin))
        {
            return Forbid(ConsoleSetup.Scheme);
        }
        if (!confirm)
        {
            (Error, Response.StatusCode) = ("Tick the confirmation first: this sets the balance.", StatusCodes.Status422UnprocessableEntity);
            return await AnsweredAsync(() => ShowAsync(id, ct));
        }
        var request = new AdjustBalance.Request(balance?.Trim(), string.IsNullOrWhiteSpace(description) ? null : description.Trim(), null);
        Tell(await MoneyActions.RunAsync(HttpContext, db, key, "accounts/adjust", new { id, request },
            () => AdjustBalance.Handle(id, request, HttpContext, db, engine, system, time, ct), ct),
            answer => $"The balance is now {Answers.Read<AccountDto>(answer).Balance}.");
        return await AnsweredAsync(() => ShowAsync(id, ct));
    }

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken ct, string? cursor = null)
    {
        var answer = await GetAccount.Handle(id, User, db, ct);
        if (!Answers.IsSuccess(answer))
        {
            return NotFound();
        }
        Account = Answers.Read<AccountDto>(answer);
        // The holder's name is what the API shows admins only (a person's data under their key).
        if (User.IsInRole(Roles.Admin) && Account.UserId is { } owner && await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == owner, ct) is { } user)
        {
            Holder = personal.KeyOf(user).Open(user.FullName);
        }
        Limits = Answers.Read<AccountLimitsView>(await AccountLimits.Get(id, User, db, ct));
        // Every hold open on the wallet (what the "on hold" figure sums), soonest to expire first.
        var pending = TransactionLifecycle.Wire(TransactionStatus.Pending);
        Holds = (await db.Transactions.AsNoTracking().Where(t => t.OriginAccountId == id && t.HeldAmount != null && t.Status == pending)
            .OrderBy(t => t.ExpiresAt).ThenBy(t => t.Id).ToListAsync(ct)).Select(TransactionDto.From).ToList();
        var movements = await ListTransactions.HandleForAccount(id, 20, cursor, Request, User, db, ct);
        if (Answers.IsSuccess(movements))
        {
            (Movements, OlderMovements) = (Answers.Read<List<TransactionDto>>(movements), Answers.Next(movements));
        }
        // A new form, a new key; the form resent keeps its own.
        (DepositKey, AdjustmentKey) = (MoneyActions.NewKey(), MoneyActions.NewKey());
        return Page();
    }
}
