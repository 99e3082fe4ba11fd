namespace Finsoft.Ledger.Reconciliation;

/// <summary>One line of a bank statement: when it took value, how much (positive into the account, negative out), and what the bank says it was.</summary>
public sealed record StatementLine(int Number, DateOnly ValueDate, long Amount, string? Reference, string? Description);

/// <summary>A bank statement of one account in one currency, its lines in the order the bank gave them.</summary>
public sealed record BankStatement(Currency Currency, IReadOnlyList<StatementLine> Lines);

/// <summary>A movement of the settlement account as the ledger booked it: positive when money came into the bank account.</summary>
public sealed record LedgerItem(Guid Id, DateOnly Date, long Amount, string Reference);
