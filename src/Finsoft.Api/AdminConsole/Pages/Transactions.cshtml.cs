using Finsoft.Api.Features.Transactions;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Outbox;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>Transactions, newest first, by type, status, account and period: the API's <c>GET /transactions</c>.</summary>
public sealed class TransactionsModel(FinsoftDb db) : FormPageModel
{
    public string? Type { get; private set; }

    public string? Status { get; private set; }

    public Guid? AccountId { get; private set; }

    public IReadOnlyList<TransactionDto> Transactions { get; private set; } = [];

    public string? Next { get; private set; }

    public async Task OnGetAsync(string? type, string? status, Guid? account, DateTime? from, DateTime? to, string? cursor, CancellationToken ct)
    {
        (Type, Status, AccountId) = (Blank(type), Blank(status), account);
        var answer = await ListTransactions.Handle(Type, Status, AccountId, from, to, 25, cursor, Request, User, db, ct);
        (Transactions, Next) = Listed<TransactionDto>(answer);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
