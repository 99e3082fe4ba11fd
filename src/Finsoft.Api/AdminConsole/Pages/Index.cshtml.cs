using System.Text.Json;
using Finsoft.Api.Features.Ledger;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Ledger;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>
/// The overview: two weeks of volume by day and by type in one currency, balances per currency, the latest movements, open
/// reviews, and how far the ledger is proven (its newest checkpoint against the journal's last entry).
/// </summary>
public sealed class IndexModel(FinsoftDb db, IOptions<FinsoftOptions> options, TimeProvider time) : PageModel
{
    public const int Days = 14;

    public string Currency { get; private set; } = "";

    public IReadOnlyList<string> Currencies { get; private set; } = [];

    public LedgerAnalytics.Report? Volume { get; private set; }

    public IReadOnlyList<(string Currency, string Total, long Wallets)> Balances { get; private set; } = [];

    public IReadOnlyList<TransactionDto> Recent { get; private set; } = [];

    public int OpenReviews { get; private set; }

    public sealed record Proof(long Sequence, DateTime At);

    /// <summary>The newest checkpoint a verification proved and none since has revoked, or none yet.</summary>
    public Proof? Proven { get; private set; }

    public long LastEntry { get; private set; }

    /// <summary>The verification job that finished last failed (the books, or the job itself): said until one passes.</summary>
    public bool LastVerificationFailed { get; private set; }

    public async Task OnGetAsync(string? currency, CancellationToken ct)
    {
        var wallets = await db.Accounts.AsNoTracking().Where(a => a.Kind == AccountKind.Wallet && a.ClosedAt == null)
            .GroupBy(a => a.Currency).Select(g => new { Currency = g.Key, Total = g.Sum(a => a.Balance), Count = g.LongCount() }).ToListAsync(ct);
        Balances = wallets.OrderBy(w => w.Currency, StringComparer.Ordinal)
            .Select(w => (w.Currency, Money.Format(w.Total, Finsoft.Ledger.Currency.Get(w.Currency)), w.Count)).ToList();
        Currencies = Balances.Select(b => b.Currency).ToList();
        Currency = currency is not null && Currencies.Contains(currency) ? currency : options.Value.DefaultCurrencyValue.Code;
        // The API's own analytics, as GET /ledger/analytics answers it.
        var answer = await LedgerAnalytics.Handle(time.UtcNow().Date.AddDays(1 - Days), null, Currency, db, options, time, ct);
        Volume = answer.StatusCode == StatusCodes.Status200OK ? JsonSerializer.Deserialize<LedgerAnalytics.Report>(answer.Json, Json.Options) : null;
        Recent = (await db.Transactions.AsNoTracking().OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id).Take(10).ToListAsync(ct))
            .Select(TransactionDto.ForStaff).ToList();
        OpenReviews = await db.Reviews.CountAsync(r => ReviewStatus.Undecided.Contains(r.Status), ct);
        Proven = await db.LedgerCheckpoints.AsNoTracking().Where(c => c.RevokedAt == null).OrderByDescending(c => c.Sequence)
            .Select(c => new Proof(c.Sequence, c.CreatedAt)).FirstOrDefaultAsync(ct);
        LastEntry = await db.LedgerHead.AsNoTracking().Select(h => h.Sequence).SingleAsync(ct);
        LastVerificationFailed = await db.LedgerVerifications.AsNoTracking().Where(v => v.CompletedAt != null).OrderByDescending(v => v.CompletedAt)
            .Select(v => v.Ok == false).FirstOrDefaultAsync(ct);
    }

    /// <summary>Every day of the window, a day without movements as a zero bar.</summary>
    public IReadOnlyList<Charts.Bar> DailyBars()
    {
        var first = time.UtcNow().Date.AddDays(1 - Days);
        var byDay = Volume?.ByDay.ToDictionary(d => d.Key) ?? [];
        return Enumerable.Range(0, Days).Select(i => first.AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
            .Select(day => byDay.TryGetValue(day, out var bucket)
                ? new Charts.Bar(day, Charts.Value(bucket.Volume), $"{bucket.Volume} {Currency}, {bucket.Count} movements")
                : new Charts.Bar(day, 0, $"0 {Currency}")).ToList();
    }

    public IReadOnlyList<Charts.Bar> TypeBars() =>
        Volume?.ByType.Select(b => new Charts.Bar(b.Key, Charts.Value(b.Volume), $"{b.Volume} {Currency}, {b.Count} movements")).ToList() ?? [];
}
