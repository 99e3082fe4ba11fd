using System.Globalization;
using System.Security.Claims;
using System.Text;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Documents;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Reports;

/// <summary>
/// An account statement: the balance before the period, every posting in it in journal order with the
/// running balance, and the balance at its end, all from the journal. JSON, CSV, PDF or XLSX.
/// </summary>
public static class Statement
{
    public const int MaxLines = 100_000;

    public sealed record Movement(long Sequence, DateTime Date, Guid TransactionId, string Type, string? Description, string Amount, string RunningBalance);

    public sealed record Body(Guid AccountId, string? Clabe, string? Holder, string Currency, DateTime From, DateTime To,
        string OpeningBalance, string ClosingBalance, int Count, List<Movement> Movements);

    public static async Task<IResult> Handle(Guid id, DateTime? from, DateTime? to, string? format, ClaimsPrincipal principal, FinsoftDb db,
        PersonalData personal, TimeProvider time, CancellationToken ct)
    {
        var account = await db.AccountsVisibleTo(CurrentUser.From(principal)).FirstOrDefaultAsync(a => a.Id == id, ct);
        if (account is null)
        {
            return ApiResults.NotFound("Account not found");
        }
        var validation = new Validation();
        format ??= "json";
        if (format is not ("json" or "csv" or "pdf" or "xlsx"))
        {
            validation.Add("format", "format must be json, csv, pdf or xlsx.");
        }
        var start = from?.ToUniversalTime() ?? account.CreatedAt;
        var end = to?.ToUniversalTime() ?? time.UtcNow();
        if (start > end)
        {
            validation.Add("from", "from must not be after to.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        if (await BuildAsync(db, personal, account, start, end, ct) is not { } body)
        {
            return ApiResults.Invalid(new Dictionary<string, string[]> { ["from"] = [$"the period holds more than {MaxLines} movements; ask for a shorter one."] });
        }
        return format switch
        {
            "csv" => Csv(body),
            "pdf" => File(PdfTable.Render(StatementDocument.Of(body)), "application/pdf", body, "pdf"),
            "xlsx" => File(XlsxTable.Render(StatementDocument.Of(body), "Statement"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body, "xlsx"),
            _ => ApiResults.Ok(body),
        };
    }

    /// <summary>The account's statement from <paramref name="start"/> to <paramref name="end"/>; null when it would hold more than <see cref="MaxLines"/> movements.</summary>
    public static async Task<Body?> BuildAsync(FinsoftDb db, PersonalData personal, AccountRow account, DateTime start, DateTime end, CancellationToken ct)
    {
        var currency = Currency.Get(account.Currency);
        var sign = account.NormalSide == NormalSide.Debit ? 1 : -1;
        var opening = await db.BalanceAtAsync(account.Id, account.NormalSide, start, inclusive: false, ct);
        // The postings are one range of ix_postings_account_history (each carries its entry's sequence and transaction); only
        // the transactions' type and description are read beside them, one lookup a line, walked serially.
        var rows = await db.SeriallyAsync(() => (from p in db.Postings
                                                 join t in db.Transactions on p.TransactionId equals t.Id
                                                 where p.AccountId == account.Id && p.EffectiveAt >= start && p.EffectiveAt <= end
                                                 orderby p.EffectiveAt, p.Sequence, p.Id
                                                 select new { p.Sequence, p.EffectiveAt, TransactionId = t.Id, t.Type, t.Description, p.Amount })
            .Take(MaxLines + 1).ToListAsync(ct), ct);
        if (rows.Count > MaxLines)
        {
            return null;
        }
        var running = opening;
        var movements = rows.Select(r =>
        {
            var amount = checked(sign * r.Amount);
            running = checked(running + amount);
            return new Movement(r.Sequence, r.EffectiveAt, r.TransactionId, r.Type, r.Description, Money.Format(amount, currency), Money.Format(running, currency));
        }).ToList();
        var holder = account.UserId is { } owner && await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == owner, ct) is { } user
            ? personal.KeyOf(user).Open(user.FullName)
            : null;
        return new Body(account.Id, account.Clabe, holder, currency.Code, start, end, Money.Format(opening, currency), Money.Format(running, currency),
            movements.Count, movements);
    }

    private static IResult File(byte[] bytes, string contentType, Body body, string extension) =>
        Results.File(bytes, contentType, $"statement-{body.AccountId}.{extension}");

    private static JsonBody Csv(Body body)
    {
        var csv = new StringBuilder();
        csv.AppendLine(CultureInfo.InvariantCulture, $"# account,{body.AccountId},clabe,{body.Clabe},currency,{body.Currency}");
        csv.AppendLine(CultureInfo.InvariantCulture, $"# from,{body.From:O},to,{body.To:O},opening_balance,{body.OpeningBalance},closing_balance,{body.ClosingBalance}");
        csv.AppendLine("sequence,date,transaction_id,type,description,amount,running_balance");
        foreach (var m in body.Movements)
        {
            csv.AppendLine(CultureInfo.InvariantCulture, $"{m.Sequence},{m.Date:O},{m.TransactionId},{m.Type},{CsvTable.Field(m.Description)},{m.Amount},{m.RunningBalance}");
        }
        var result = new JsonBody(StatusCodes.Status200OK, csv.ToString(), "text/csv; charset=utf-8");
        result.Headers["Content-Disposition"] = $"attachment; filename=\"statement-{body.AccountId}.csv\"";
        return result;
    }
}
