using Finsoft.Api.Features.Fx;
using Finsoft.Api.Features.Ledger;
using Finsoft.Api.Features.Reports;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Archiving;
using Finsoft.Api.MoneyPath.Verification;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>
/// The books: ledger verification (<c>GET /ledger/verify</c>, and the verification jobs an admin starts, which record a
/// checkpoint: <c>/ledger/verifications</c>), the four accounting reports in one currency as of a day's end
/// (the <c>/reports</c> handlers; asked for with the form, as they sum the whole journal), and the exchange rates recorded, of
/// which an admin records new ones.
/// </summary>
[Authorize(Policy = ConsoleSetup.Policies.Insights)]
public sealed class LedgerModel(FinsoftDb db, IOptions<FinsoftOptions> options, TimeProvider time) : FormPageModel
{
    public LedgerVerifier.Report? Report { get; private set; }

    public string Currency { get; private set; } = "";

    public IReadOnlyList<string> Currencies { get; private set; } = [];

    public DateOnly? From { get; private set; }

    public DateOnly? AsOf { get; private set; }

    public AccountingReports.TrialBalance? Trial { get; private set; }

    public AccountingReports.BalanceSheet? Sheet { get; private set; }

    public AccountingReports.IncomeStatement? Income { get; private set; }

    public AccountingReports.CashFlow? Cash { get; private set; }

    public IReadOnlyList<LedgerVerifications.VerificationDto> Jobs { get; private set; } = [];

    public IReadOnlyList<FxRates.RateDto> Rates { get; private set; } = [];

    /// <summary>Of the rates listed, those in force now for their pair.</summary>
    public IReadOnlySet<Guid> InForce { get; private set; } = new HashSet<Guid>();

    public string? NextRates { get; private set; }

    public async Task OnGetAsync(string? currency, DateOnly? from, [FromQuery(Name = "as_of")] DateOnly? asOf, string? cursor, CancellationToken ct)
    {
        (From, AsOf) = (from, asOf);
        if (currency is not null)
        {
            await ReportAsync(currency, ct);
        }
        await ShowAsync(currency, cursor, ct);
    }

    public async Task OnPostAsync([FromServices] LedgerVerifier verifier, CancellationToken ct)
    {
        Report = await verifier.VerifyAsync(ct);
        await ShowAsync(null, null, ct);
    }

    /// <summary>Queues a verification job: an incremental one proves what came since the last checkpoint, a full one the whole journal.</summary>
    public async Task<IActionResult> OnPostJobAsync(string? kind, [FromServices] LedgerCheckpoints checkpoints, [FromServices] LedgerSeal seal, CancellationToken ct)
    {
        if (!User.IsInRole(Roles.Admin))
        {
            return Forbid(ConsoleSetup.Scheme);
        }
        Tell(await LedgerVerifications.Create(new LedgerVerifications.CreateRequest(kind), User, db, checkpoints, seal, time, ct), answer =>
        {
            var job = Answers.Read<LedgerVerifications.VerificationDto>(answer);
            return $"A {job.Kind} verification of entries {job.BaseSequence} to {job.TargetSequence} is queued; its progress shows below.";
        });
        return await AnsweredAsync(() => ShowAsync(null, null, ct));
    }

    public async Task<IActionResult> OnPostRateAsync(string? @base, string? quote, string? rate, DateTime? effectiveAt, CancellationToken ct)
    {
        if (!User.IsInRole(Roles.Admin))
        {
            return Forbid(ConsoleSetup.Scheme);
        }
        // The form's local time arrives without a zone: it is read as UTC, as the form says.
        var effective = effectiveAt is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : (DateTime?)null;
        Tell(await FxRates.Create(new FxRates.Request(@base?.Trim().ToUpperInvariant(), quote?.Trim().ToUpperInvariant(), rate?.Trim(), effective), User, db, time, ct),
            answer =>
            {
                var recorded = Answers.Read<FxRates.RateDto>(answer);
                return $"1 {recorded.Base} = {recorded.Rate} {recorded.Quote} from {recorded.EffectiveAt:yyyy-MM-dd HH:mm} UTC.";
            });
        return await AnsweredAsync(() => ShowAsync(null, null, ct));
    }

    /// <summary>The four reports as of the end of <see cref="AsOf"/> (a UTC day), income and cash flow from the start of <see cref="From"/>.</summary>
    private async Task ReportAsync(string currency, CancellationToken ct)
    {
        var start = From?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = AsOf?.ToDateTime(TimeOnly.MaxValue, DateTimeKind.Utc);
        try
        {
            var trial = await AccountingReports.GetTrialBalance(end, currency, db, options, time, ct);
            if (!Answers.IsSuccess(trial))
            {
                Refuse(trial);
                return;
            }
            Trial = Answers.Read<AccountingReports.TrialBalance>(trial);
            Sheet = Answers.Read<AccountingReports.BalanceSheet>(await AccountingReports.GetBalanceSheet(end, currency, db, options, time, ct));
            var income = await AccountingReports.GetIncomeStatement(start, end, currency, db, options, time, ct);
            var cash = await AccountingReports.GetCashFlow(start, end, currency, db, options, time, ct);
            if (Answers.IsSuccess(income) && Answers.IsSuccess(cash))
            {
                (Income, Cash) = (Answers.Read<AccountingReports.IncomeStatement>(income), Answers.Read<AccountingReports.CashFlow>(cash));
            }
            else
            {
                Refuse(Answers.IsSuccess(income) ? cash : income);
            }
        }
        catch (ArchivedHistoryException archived) when (ErrorHandler.Refusal(archived) is var (status, message))
        {
            // Said here rather than by HandledPageModel's plain answer: the page keeps its form to ask for a later period.
            (Error, Response.StatusCode) = (message, status);
        }
    }

    private async Task ShowAsync(string? currency, string? cursor, CancellationToken ct)
    {
        Currencies = await db.Accounts.AsNoTracking().Select(a => a.Currency).Distinct().OrderBy(c => c).ToListAsync(ct);
        Currency = string.IsNullOrEmpty(currency) ? options.Value.DefaultCurrency : currency;
        Jobs = Answers.Read<List<LedgerVerifications.VerificationDto>>(await LedgerVerifications.List(5, null, Request, db, ct));
        (Rates, NextRates) = Listed<FxRates.RateDto>(await FxRates.List(25, cursor, Request, db, ct), "currency", "from", "as_of"); // not the reports again
        var now = time.GetUtcNow().UtcDateTime;
        var inForce = new HashSet<Guid>();
        foreach (var pair in Rates.Select(r => (r.Base, r.Quote)).Distinct())
        {
            if (await FxRates.LatestAsync(db, pair.Base, pair.Quote, now, ct) is { } latest)
            {
                inForce.Add(latest.Id);
            }
        }
        InForce = inForce;
    }
}
