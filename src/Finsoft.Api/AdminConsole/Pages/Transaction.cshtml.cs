using Finsoft.Api.Features.Transactions;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Ledger;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>
/// One transaction with the journal entries that booked it (each posting's account and side), the events the stream carried
/// about it, and monitoring's decision;
/// an admin reverses, captures, voids or retries it through the API's handlers, after confirming, once however often the
/// form is sent. Whether the move is allowed is the handler's to say; its refusal is shown.
/// </summary>
public sealed class TransactionModel(FinsoftDb db) : FormPageModel
{
    public sealed record Posting(Guid AccountId, string? SystemCode, string Debit, string Credit);

    public sealed record Entry(long Sequence, DateTime EffectiveAt, string Hash, IReadOnlyList<Posting> Postings);

    public TransactionDto? Transaction { get; private set; }

    public IReadOnlyList<Entry> Entries { get; private set; } = [];

    public sealed record EventLine(long Position, string Type, DateTime OccurredAt);

    /// <summary>Null when the transaction touches no wallet, whose index the search goes through.</summary>
    public IReadOnlyList<EventLine>? Events { get; private set; }

    /// <summary>How many of the wallet's latest events the search reads at most: a page view's work stays bounded.</summary>
    public const int EventsLookedThrough = 5000;

    public string ActionKey { get; private set; } = "";

    public Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => ShowAsync(id, ct);

    public async Task<IActionResult> OnPostAsync(Guid id, string? action, string? key, bool confirm, [FromServices] MoneyEngine engine, CancellationToken ct)
    {
        if (!User.IsInRole(Roles.Admin))
        {
            return Forbid(ConsoleSetup.Scheme);
        }
        if (!confirm)
        {
            (Error, Response.StatusCode) = ("Tick the confirmation first: this moves money.", StatusCodes.Status422UnprocessableEntity);
            return await AnsweredAsync(() => ShowAsync(id, ct));
        }
        Func<Task<JsonBody>>? handler = action switch
        {
            "reverse" => () => Reverse.Handle(id, HttpContext, db, engine, ct),
            "capture" => () => Holds.Capture(id, null, HttpContext, db, engine, ct),
            "void" => () => Holds.Void(id, HttpContext, db, engine, ct),
            "retry" => () => RetryWithdrawal.Handle(id, HttpContext, db, engine, ct),
            _ => null,
        };
        Tell(handler is null ? null : await MoneyActions.RunAsync(HttpContext, db, key, $"transactions/{action}", id, handler, ct), _ => $"Done: {action}.");
        return await AnsweredAsync(() => ShowAsync(id, ct));
    }

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken ct)
    {
        var answer = await GetTransaction.Handle(id, User, db, ct);
        if (!Answers.IsSuccess(answer))
        {
            return NotFound();
        }
        Transaction = Answers.Read<TransactionDto>(answer);
        var entries = await db.JournalEntries.AsNoTracking().Where(e => e.TransactionId == id).OrderBy(e => e.Sequence).ToListAsync(ct);
        var entryIds = entries.Select(e => e.Id).ToList();
        var postings = await db.Postings.AsNoTracking().Where(p => p.TransactionId == id && entryIds.Contains(p.EntryId)).OrderBy(p => p.Id).ToListAsync(ct);
        var accountIds = postings.Select(p => p.AccountId).Distinct().ToList();
        var systemCodes = await db.Accounts.AsNoTracking().Where(a => accountIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.SystemCode, ct);
        Entries = entries.Select(e => new Entry(e.Sequence, e.EffectiveAt, e.Hash, postings.Where(p => p.EntryId == e.Id).Select(p =>
        {
            var amount = Money.Format(Math.Abs(p.Amount), Currency.Get(p.Currency));
            return new Posting(p.AccountId, systemCodes.GetValueOrDefault(p.AccountId), p.Amount > 0 ? amount : "", p.Amount < 0 ? amount : "");
        }).ToList())).ToList();
        Events = await EventsAsync(Transaction, ct);
        ActionKey = MoneyActions.NewKey();
        return Page();
    }

    /// <summary>
    /// The events about this transaction (its own JSON, by id) among its wallet's latest <see cref="EventsLookedThrough"/>,
    /// found through the wallet's index on the stream: a system account's events are the whole platform's, a long walk.
    /// </summary>
    private async Task<IReadOnlyList<EventLine>?> EventsAsync(TransactionDto transaction, CancellationToken ct)
    {
        var sides = new[] { transaction.OriginAccountId, transaction.DestinationAccountId }.OfType<Guid>().ToList();
        var wallet = await db.Accounts.AsNoTracking().Where(a => sides.Contains(a.Id) && a.Kind == AccountKind.Wallet).Select(a => (Guid?)a.Id)
            .FirstOrDefaultAsync(ct);
        if (wallet is not { } id)
        {
            return null;
        }
        var itself = $"\"id\":\"{transaction.Id}\"";
        var latest = db.Events.AsNoTracking().Where(e => e.OriginAccountId == id || e.DestinationAccountId == id)
            .OrderByDescending(e => e.Position).Take(EventsLookedThrough);
        return await latest.Where(e => e.Data.Contains(itself)).OrderBy(e => e.Position).Select(e => new EventLine(e.Position, e.Type, e.OccurredAt))
            .ToListAsync(ct);
    }
}
