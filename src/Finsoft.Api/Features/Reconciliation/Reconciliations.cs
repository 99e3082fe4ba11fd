using System.Security.Claims;
using System.Text;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Finsoft.Ledger.Reconciliation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Reconciliation;

/// <summary>
/// Bank reconciliation: a statement of the settlement account (camt.053 or CSV) is read at once — a malformed one is a 400
/// that says where, and nothing is stored — then matched against the ledger by <see cref="ReconciliationRunner"/>; a dry
/// run matches in the request and stores nothing. What did not reconcile is kept item by item for a person to resolve.
/// </summary>
public static class Reconciliations
{
    public sealed record ItemDto(Guid Id, string Kind, string? Detail, int? Line, Guid? TransactionId, string? StatementAmount, string? LedgerAmount,
        DateOnly? StatementDate, DateOnly? LedgerDate, string? Reference, string? Description, string? Resolution, string? ResolutionNote, Guid? ResolvedBy,
        DateTime? ResolvedAt);

    public sealed record ReconciliationDto(Guid? Id, string Currency, string Format, string Status, int Progress, int LineCount, int MatchedCount,
        List<ItemDto> UnmatchedLedger, List<ItemDto> UnmatchedStatement, List<ItemDto> Discrepancies, string? FailureReason, DateTime? CreatedAt,
        DateTime? CompletedAt);

    public sealed record Accepted(Guid Id, string Status);

    public sealed record ResolveRequest(string? Action, string? Note);

    /// <summary>Up to 256 MB: a million camt.053 entries.</summary>
    public const long MaxStatementBytes = 256L * 1024 * 1024;

    public const string Camt053 = "camt053";
    public const string Csv = "csv";

    public static async Task<JsonBody> Create(string? format, string? currency, [FromQuery(Name = "dry_run")] bool? dryRun,
        [FromQuery(Name = "amount_tolerance")] string? tolerance, [FromQuery(Name = "date_window_days")] int? window, HttpRequest http,
        ClaimsPrincipal principal, FinsoftDb db, IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        if (format is not (Camt053 or Csv))
        {
            validation.Add("format", "format must be camt053 or csv.");
        }
        var money = validation.Currency("currency", currency, options.Value.DefaultCurrencyValue);
        var slack = money is null ? null : Money.Parse(tolerance ?? "0", money) is { IsSuccess: true, Value.Minor: >= 0 } parsed ? parsed.Value : (Money?)null;
        if (money is not null && slack is null)
        {
            validation.Add("amount_tolerance", "amount_tolerance must be an amount of zero or more.");
        }
        if (window is not (null or (>= 0 and <= 31)))
        {
            validation.Add("date_window_days", "date_window_days must be from 0 to 31.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        using var reader = new StreamReader(http.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct);
        var statement = Read(format!, text, money!);
        if (!statement.IsSuccess)
        {
            return ApiResults.Problem(StatusCodes.Status400BadRequest, $"The statement does not read: {statement.Error!.Message}", errorCode: "malformed_statement");
        }
        var rules = new MatchRules(slack!.Value.Minor, window ?? 3);
        if (dryRun == true)
        {
            var result = await MatchAsync(db, statement.Value, rules, ct);
            return ApiResults.Ok(DryRun(money!, format!, statement.Value.Lines.Count, result));
        }
        var row = new ReconciliationRow
        {
            Id = Guid.CreateVersion7(), Currency = money!.Code, Format = format!, Status = ReconciliationStatus.Running, AmountTolerance = rules.AmountTolerance,
            DateWindowDays = rules.DateWindowDays, Statement = text, LineCount = statement.Value.Lines.Count, CreatedBy = CurrentUser.From(principal).Id,
            CreatedAt = time.UtcNow(),
        };
        db.Reconciliations.Add(row);
        await db.SaveChangesAsync(ct);
        return ApiResults.Accepted(new Accepted(row.Id, row.Status));
    }

    public static Result<BankStatement> Read(string format, string text, Currency currency) => format == Camt053
        ? StatementFormats.ParseCamt053(new MemoryStream(Encoding.UTF8.GetBytes(text)), currency)
        : StatementFormats.ParseCsv(new StringReader(text), currency);

    /// <summary>The ledger's movements over the statement's days, widened by the window, matched against its lines.</summary>
    public static async Task<MatchResult> MatchAsync(FinsoftDb db, BankStatement statement, MatchRules rules, CancellationToken ct)
    {
        if (statement.Lines.Count == 0)
        {
            return new MatchResult([], [], [], []);
        }
        var (first, last) = (statement.Lines.Min(l => l.ValueDate), statement.Lines.Max(l => l.ValueDate));
        var ledger = await SettlementMovements.ReadAsync(db, statement.Currency, first.AddDays(-rules.DateWindowDays), last.AddDays(rules.DateWindowDays), ct);
        return Matcher.Match(ledger, statement.Lines, rules);
    }

    public static async Task<JsonBody> Get(Guid id, FinsoftDb db, CancellationToken ct)
    {
        var row = await db.Reconciliations.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (row is null)
        {
            return ApiResults.NotFound("Reconciliation not found");
        }
        var items = await db.ReconciliationItems.AsNoTracking().Where(i => i.ReconciliationId == id).OrderBy(i => i.LineNumber).ThenBy(i => i.Id).ToListAsync(ct);
        var currency = Currency.Get(row.Currency);
        List<ItemDto> Of(string kind) => items.Where(i => i.Kind == kind).Select(i => ToDto(i, currency)).ToList();
        return ApiResults.Ok(new ReconciliationDto(row.Id, row.Currency, row.Format, row.Status, row.Progress, row.LineCount, row.MatchedCount,
            Of(ItemKind.UnmatchedLedger), Of(ItemKind.UnmatchedStatement), Of(ItemKind.Discrepancy), row.FailureReason, row.CreatedAt, row.CompletedAt));
    }

    /// <summary>A person's decision on one item: accepted as it is, corrected (in the ledger or at the bank), or escalated. Audited.</summary>
    public static async Task<JsonBody> Resolve(Guid id, [FromRoute(Name = "item_id")] Guid itemId, ResolveRequest request, ClaimsPrincipal principal,
        FinsoftDb db, AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Required("note", request.Note, 2000);
        if (request.Action is not ("accepted" or "corrected" or "escalated"))
        {
            validation.Add("action", "action must be accepted, corrected or escalated.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var item = await db.ReconciliationItems.AsNoTracking().FirstOrDefaultAsync(i => i.Id == itemId && i.ReconciliationId == id, ct);
        if (item is null)
        {
            return ApiResults.NotFound("Reconciliation item not found");
        }
        var actor = CurrentUser.From(principal).Id;
        var (note, at) = (request.Note!.Trim(), time.UtcNow());
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Conditional, so of two people deciding at once one wins and the other hears 409.
        var decided = await db.ReconciliationItems.Where(i => i.Id == itemId && i.Resolution == null).ExecuteUpdateAsync(i => i
            .SetProperty(x => x.Resolution, request.Action).SetProperty(x => x.ResolutionNote, note).SetProperty(x => x.ResolvedBy, actor)
            .SetProperty(x => x.ResolvedAt, at), ct);
        if (decided != 1)
        {
            return ApiResults.Problem(StatusCodes.Status409Conflict, "The item was resolved already.", errorCode: "item_resolved");
        }
        audit.Add(db, AuditEvents.ReconciliationItemResolved, actor, null, new { reconciliation_id = id, item_id = itemId, action = request.Action });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        (item.Resolution, item.ResolutionNote, item.ResolvedBy, item.ResolvedAt) = (request.Action, note, actor, at);
        var currency = await db.Reconciliations.Where(r => r.Id == id).Select(r => r.Currency).FirstAsync(ct);
        return ApiResults.Ok(ToDto(item, Currency.Get(currency)));
    }

    public static class ItemKind
    {
        public const string UnmatchedLedger = "unmatched_ledger";
        public const string UnmatchedStatement = "unmatched_statement";
        public const string Discrepancy = "discrepancy";
    }

    /// <summary>The rows a finished match leaves for people: everything but the matches themselves, which only count.</summary>
    public static IEnumerable<ReconciliationItemRow> ItemsOf(Guid reconciliation, MatchResult result) =>
        result.UnmatchedLedger.Select(l => new ReconciliationItemRow
        {
            Id = Guid.CreateVersion7(), ReconciliationId = reconciliation, Kind = ItemKind.UnmatchedLedger, TransactionId = l.Id, LedgerAmount = l.Amount,
            LedgerDate = l.Date, Reference = l.Reference, Detail = "booked in the ledger, not on the statement",
        }).Concat(result.UnmatchedStatement.Select(s => new ReconciliationItemRow
        {
            Id = Guid.CreateVersion7(), ReconciliationId = reconciliation, Kind = ItemKind.UnmatchedStatement, LineNumber = s.Number, StatementAmount = s.Amount,
            StatementDate = s.ValueDate, Reference = s.Reference, Description = s.Description, Detail = "on the statement, not in the ledger",
        })).Concat(result.Discrepancies.Select(d => new ReconciliationItemRow
        {
            Id = Guid.CreateVersion7(), ReconciliationId = reconciliation, Kind = ItemKind.Discrepancy, Detail = d.Kind, LineNumber = d.Line, TransactionId = d.Ledger,
            StatementAmount = d.StatementAmount, LedgerAmount = d.LedgerAmount, StatementDate = d.StatementDate, LedgerDate = d.LedgerDate,
        }));

    /// <summary>A dry run's answer: nothing was stored, so its items carry no ids.</summary>
    private static ReconciliationDto DryRun(Currency currency, string format, int lines, MatchResult result)
    {
        var items = ItemsOf(Guid.Empty, result).ToList();
        List<ItemDto> Of(string kind) => items.Where(i => i.Kind == kind).Select(i => ToDto(i, currency) with { Id = Guid.Empty }).ToList();
        return new ReconciliationDto(null, currency.Code, format, ReconciliationStatus.Completed, 100, lines, result.Matches.Count,
            Of(ItemKind.UnmatchedLedger), Of(ItemKind.UnmatchedStatement), Of(ItemKind.Discrepancy), null, null, null);
    }

    private static ItemDto ToDto(ReconciliationItemRow i, Currency currency) =>
        new(i.Id, i.Kind, i.Detail, i.LineNumber, i.TransactionId, i.StatementAmount is { } s ? Money.Format(s, currency) : null,
            i.LedgerAmount is { } l ? Money.Format(l, currency) : null, i.StatementDate, i.LedgerDate, i.Reference, i.Description, i.Resolution,
            i.ResolutionNote, i.ResolvedBy, i.ResolvedAt);
}
