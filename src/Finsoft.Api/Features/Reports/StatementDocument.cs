using System.Globalization;
using Finsoft.Api.Infrastructure.Documents;

namespace Finsoft.Api.Features.Reports;

/// <summary>A statement as a printed document: who and which account on every page, its movements, the balances around them.</summary>
public static class StatementDocument
{
    public static TableDocument Of(Statement.Body body) => new(
        "Account statement",
        [
            new("Holder", body.Holder ?? "Finsoft (system account)"),
            new("Account", body.AccountId.ToString()),
            new("CLABE", body.Clabe ?? "-"),
            new("Currency", body.Currency),
            new("Period", $"{body.From:yyyy-MM-dd HH:mm} to {body.To:yyyy-MM-dd HH:mm} UTC"),
            new("Opening balance", body.OpeningBalance, body.Currency),
            new("Closing balance", body.ClosingBalance, body.Currency),
        ],
        [
            new("Sequence", 8, Numeric: true, OnPaper: false), new("Date (UTC)", 17), new("Transaction", 30, OnPaper: false), new("Type", 12),
            new("Description", 38), new("Amount", 16, Numeric: true), new("Balance", 16, Numeric: true),
        ],
        body.Movements.Select(m => (IReadOnlyList<string?>)
        [
            m.Sequence.ToString(CultureInfo.InvariantCulture), m.Date.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), m.TransactionId.ToString(),
            m.Type, m.Description, m.Amount, m.RunningBalance,
        ]).ToList(),
        [new("Movements", body.Count.ToString(CultureInfo.InvariantCulture))]);
}
