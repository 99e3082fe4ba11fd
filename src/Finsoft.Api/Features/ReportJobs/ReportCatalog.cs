using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Finsoft.Api.Features.Analytics;
using Finsoft.Api.Features.Reports;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Documents;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.ReportJobs;

/// <summary>A rendered report: its bytes, media type and the name to save it under.</summary>
public sealed record ReportFile(byte[] Content, string ContentType, string FileName);

/// <summary>A report that could not be made from its parameters (an account gone, a period too long): the job fails with this reason.</summary>
public sealed class ReportRefusedException(string message) : Exception(message);

/// <summary>
/// The reports a job, a schedule or an export can make, and how each is made: by the same code that answers its API
/// endpoint (so a report job says what the endpoint says), laid out as a <see cref="TableDocument"/> and rendered as CSV,
/// XLSX or PDF. <c>customer_statements</c> is every customer wallet's statement for a month, one file each, in a zip.
/// </summary>
public static class ReportCatalog
{
    public const string TrialBalance = "trial_balance";
    public const string BalanceSheet = "balance_sheet";
    public const string IncomeStatement = "income_statement";
    public const string CashFlow = "cash_flow";
    public const string Revenue = "revenue";
    public const string Transactions = "transactions";
    public const string Users = "users";
    public const string AccountStatement = "account_statement";
    public const string CustomerStatements = "customer_statements";

    public static readonly IReadOnlyList<string> Types =
        [TrialBalance, BalanceSheet, IncomeStatement, CashFlow, Revenue, Transactions, Users, AccountStatement, CustomerStatements];

    public static readonly IReadOnlyList<string> Formats = ["csv", "xlsx", "pdf"];

    /// <summary>
    /// Checks a request for a report: its type, its format and its parameters (null when they did not read, which
    /// <see cref="ReportParameters.Read"/> has said). Null (with the errors) when any is wrong.
    /// </summary>
    public static ReportParameters? Check(string? type, string? format, ReportParameters? parameters, Validation validation)
    {
        if (type is null || !Types.Contains(type))
        {
            validation.Add("type", $"type must be one of: {string.Join(", ", Types)}.");
        }
        if (format is null || !Formats.Contains(format))
        {
            validation.Add("format", "format must be csv, xlsx or pdf.");
        }
        parameters?.CheckCommon(validation);
        if (parameters is not null && type == AccountStatement && parameters.AccountId is null)
        {
            validation.Add("parameters.account_id", "an account statement needs parameters.account_id.");
        }
        if (parameters?.Currency is { } currency)
        {
            validation.Currency("parameters.currency", currency);
        }
        return validation.IsValid ? parameters : null;
    }

    /// <summary>Makes the report as it stands at <paramref name="at"/> (when the job runs, or the occurrence it runs for).</summary>
    public static async Task<ReportFile> RenderAsync(string type, string format, ReportParameters asked, DateTime at, IServiceProvider services,
        Func<int, Task> progress, CancellationToken ct)
    {
        var p = asked.Resolve(at);
        var db = services.GetRequiredService<FinsoftDb>();
        var options = services.GetRequiredService<IOptions<FinsoftOptions>>();
        var time = services.GetRequiredService<TimeProvider>();
        var stamp = at.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture);
        if (type == CustomerStatements)
        {
            return await CustomerStatementsAsync(db, services.GetRequiredService<PersonalData>(), format, p, at, progress, ct);
        }
        var table = type switch
        {
            TrialBalance => ReportLayouts.Of(Read<AccountingReports.TrialBalance>(await AccountingReports.GetTrialBalance(p.AsOf, p.Currency, db, options, time, ct))),
            BalanceSheet => ReportLayouts.Of(Read<AccountingReports.BalanceSheet>(await AccountingReports.GetBalanceSheet(p.AsOf, p.Currency, db, options, time, ct))),
            IncomeStatement => ReportLayouts.Of(Read<AccountingReports.IncomeStatement>(
                await AccountingReports.GetIncomeStatement(p.From, p.AsOf, p.Currency, db, options, time, ct))),
            CashFlow => ReportLayouts.Of(Read<AccountingReports.CashFlow>(await AccountingReports.GetCashFlow(p.From, p.AsOf, p.Currency, db, options, time, ct))),
            Revenue => ReportLayouts.Of(Read<RevenueAnalytics.Report>(await RevenueAnalytics.Handle(p.From, p.To, p.Currency, p.Interval, db, options, time, ct))),
            Transactions => ReportLayouts.Of(Read<TransactionAnalytics.Report>(await TransactionAnalytics.Handle(p.From, p.To, p.Currency, db, options, time, ct))),
            Users => ReportLayouts.Of(Read<UserAnalytics.Report>(await UserAnalytics.Handle(p.From, p.To, p.Interval, db, time, ct))),
            AccountStatement => StatementDocument.Of(await StatementOfAsync(db, services.GetRequiredService<PersonalData>(), p, at, ct)),
            _ => throw new ReportRefusedException($"There is no report {type}."),
        };
        return Render(table, format, type == AccountStatement ? $"statement-{p.AccountId}-{stamp}" : $"{type}-{stamp}");
    }

    public static ReportFile Render(TableDocument table, string format, string name) => format switch
    {
        "csv" => new ReportFile(CsvTable.Render(table), "text/csv; charset=utf-8", $"{name}.csv"),
        "xlsx" => new ReportFile(XlsxTable.Render(table, SheetName(table.Title)), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"{name}.xlsx"),
        _ => new ReportFile(PdfTable.Render(table), "application/pdf", $"{name}.pdf"),
    };

    /// <summary>The answer of the report's endpoint, or its refusal as the job's reason.</summary>
    private static T Read<T>(JsonBody answer) => answer.StatusCode == StatusCodes.Status200OK
        ? JsonSerializer.Deserialize<T>(answer.Json, Json.Options)!
        : throw new ReportRefusedException(JsonDocument.Parse(answer.Json).RootElement.TryGetProperty("errors", out var errors)
            ? $"The parameters do not hold: {errors.GetRawText()}"
            : JsonDocument.Parse(answer.Json).RootElement.GetProperty("error").GetString() ?? "The report could not be made.");

    private static async Task<Statement.Body> StatementOfAsync(FinsoftDb db, PersonalData personal, ReportParameters p, DateTime at, CancellationToken ct)
    {
        var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == p.AccountId, ct)
            ?? throw new ReportRefusedException($"Account {p.AccountId} was not found.");
        return await Statement.BuildAsync(db, personal, account, p.From ?? account.CreatedAt, p.To ?? at, ct)
            ?? throw new ReportRefusedException($"The period holds more than {Statement.MaxLines} movements; ask for a shorter one.");
    }

    /// <summary>Every customer wallet open during the month, its statement for the month, one file each in a zip.</summary>
    private static async Task<ReportFile> CustomerStatementsAsync(FinsoftDb db, PersonalData personal, string format, ReportParameters p, DateTime at, Func<int, Task> progress,
        CancellationToken ct)
    {
        // No month named: the month before, in the report's zone, as a previous_month period would give it.
        var month = p.Month ?? (p with { Period = ReportParameters.PreviousMonth, From = null, To = null, AsOf = null }).Resolve(at).Month!;
        var first = DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var (start, end) = p.Span(first, first.AddMonths(1).AddDays(-1));
        var wallets = await (from a in db.Accounts.AsNoTracking()
                             join u in db.Users on a.UserId equals u.Id
                             where a.Kind == AccountKind.Wallet && u.Role == Roles.Customer && a.CreatedAt <= end && (a.ClosedAt == null || a.ClosedAt >= start)
                             orderby a.CreatedAt, a.Id
                             select a).ToListAsync(ct);
        var label = first.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        using var zipped = new MemoryStream();
        var skipped = new List<string>();
        using (var zip = new ZipArchive(zipped, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < wallets.Count; i++)
            {
                // One wallet too busy for a statement does not cost every other customer theirs: it is named in SKIPPED.txt.
                if (await Statement.BuildAsync(db, personal, wallets[i], start, end, ct) is not { } body)
                {
                    skipped.Add($"{wallets[i].Id}: more than {Statement.MaxLines} movements in {label}; ask for its statement in parts.");
                    continue;
                }
                var file = Render(StatementDocument.Of(body), format, $"statement-{wallets[i].Clabe ?? wallets[i].Id.ToString()}-{label}");
                await using (var entry = zip.CreateEntry(file.FileName, CompressionLevel.Fastest).Open())
                {
                    await entry.WriteAsync(file.Content, ct);
                }
                if (i % 50 == 49)
                {
                    await progress(10 + (int)(85L * (i + 1) / wallets.Count));
                }
            }
            if (skipped.Count > 0)
            {
                await using var entry = zip.CreateEntry("SKIPPED.txt").Open();
                await entry.WriteAsync(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', skipped) + "\n"), ct);
            }
        }
        return new ReportFile(zipped.ToArray(), "application/zip", $"customer-statements-{label}.zip");
    }

    /// <summary>Excel allows 31 characters and no []:*?/\ in a sheet's name.</summary>
    private static string SheetName(string title)
    {
        var name = new string([.. title.Where(c => c is not ('[' or ']' or ':' or '*' or '?' or '/' or '\\'))]);
        return name.Length <= 31 ? name : name[..31];
    }
}
