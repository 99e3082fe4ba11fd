namespace Finsoft.Ledger;

/// <summary>One account as a batch sees it once the account is locked.</summary>
public sealed record AccountState(Guid Id, Currency Currency, bool DebitNormal, bool IsOpen, AccountBalance Balance, long? Floor)
{
    /// <summary>How a posting moves this account's balance: debit-normal accounts rise with debits, the others with credits.</summary>
    public long BalanceDelta(Posting posting) => DebitNormal ? posting.Amount : checked(-posting.Amount);
}

/// <summary>A change to the funds held on an account.</summary>
public sealed record HoldChange(Guid AccountId, long Delta);

/// <summary>
/// What one request asks of the ledger: an optional balanced entry, changes to holds, and optionally
/// the pending hold it closes (a hold is captured or voided at most once).
/// </summary>
public sealed record LedgerCommand(JournalEntry? Entry, IReadOnlyList<HoldChange> Holds, Guid? Settles = null)
{
    public static LedgerCommand Transfer(Guid from, Guid to, Money amount) => new(JournalEntry.Move(from, to, amount), []);

    public static LedgerCommand Hold(Guid from, Money amount) => new(null, [new HoldChange(from, amount.Minor)]);

    /// <summary>Moves <paramref name="captured"/> (at most the held amount) and releases the whole hold.</summary>
    public static LedgerCommand Capture(Guid hold, Guid from, Guid to, Money held, Money captured) =>
        new(JournalEntry.Move(from, to, captured), [new HoldChange(from, checked(-held.Minor))], hold);

    public static LedgerCommand Void(Guid hold, Guid from, Money held) => new(null, [new HoldChange(from, checked(-held.Minor))], hold);
}

/// <summary>Why a command was refused, and which account refused it (null when no single account did).</summary>
public sealed record Refusal(Guid? AccountId, LedgerError Error);

/// <summary>The net change a batch makes to one account.</summary>
public readonly record struct AccountDelta(Guid AccountId, long Balance, long Held);

/// <summary>The outcome of planning a batch.</summary>
public sealed class BatchPlan(
    IReadOnlyList<Refusal?> refusals, IReadOnlyList<AccountDelta> deltas, IReadOnlyList<IReadOnlyDictionary<Guid, AccountBalance>> after)
{
    /// <summary>Per command, in order: null when it applies, otherwise why not.</summary>
    public IReadOnlyList<Refusal?> Refusals { get; } = refusals;

    /// <summary>The net change per account, ascending by id, zero changes left out: each touched row is written once.</summary>
    public IReadOnlyList<AccountDelta> Deltas { get; } = deltas;

    /// <summary>Per command, the balances of the accounts it touched just after it (empty when refused).</summary>
    public IReadOnlyList<IReadOnlyDictionary<Guid, AccountBalance>> After { get; } = after;
}

/// <summary>
/// Decides a batch of commands against locked account states. The result is exactly that of running
/// the commands one after another, each all-or-nothing: a refused command changes nothing and does not
/// disturb the others. In an atomic batch one refusal refuses every command.
/// </summary>
public static class BatchPlanner
{
    public static BatchPlan Plan(IEnumerable<AccountState> accounts, IReadOnlyList<LedgerCommand> commands, bool atomic = false)
    {
        var initial = accounts.ToDictionary(a => a.Id);
        var state = initial.ToDictionary(a => a.Key, a => a.Value.Balance);
        var settled = new HashSet<Guid>();
        var refusals = new Refusal?[commands.Count];
        var after = new IReadOnlyDictionary<Guid, AccountBalance>[commands.Count];
        for (var i = 0; i < commands.Count; i++)
        {
            after[i] = new Dictionary<Guid, AccountBalance>();
            refusals[i] = TryApply(commands[i], initial, state, settled, out var touched);
            if (refusals[i] is null)
            {
                after[i] = touched;
            }
        }
        var firstRefused = Array.FindIndex(refusals, r => r is not null);
        if (atomic && firstRefused >= 0)
        {
            var aborted = new Refusal(null, LedgerError.BatchAborted);
            var all = refusals.Select((r, i) => i == firstRefused ? r : aborted).ToArray();
            return new BatchPlan(all, [], commands.Select(_ => (IReadOnlyDictionary<Guid, AccountBalance>)new Dictionary<Guid, AccountBalance>()).ToArray());
        }
        var deltas = state
            .Select(s => new AccountDelta(s.Key, s.Value.Balance - initial[s.Key].Balance.Balance, s.Value.Held - initial[s.Key].Balance.Held))
            .Where(d => d.Balance != 0 || d.Held != 0)
            .OrderBy(d => d.AccountId)
            .ToList();
        return new BatchPlan(refusals, deltas, after);
    }

    private static Refusal? TryApply(LedgerCommand command, Dictionary<Guid, AccountState> accounts, Dictionary<Guid, AccountBalance> state,
        HashSet<Guid> settled, out Dictionary<Guid, AccountBalance> touched)
    {
        touched = [];
        if (command.Settles is { } hold && settled.Contains(hold))
        {
            return new Refusal(null, LedgerError.HoldAlreadySettled);
        }
        var changes = (command.Entry?.Postings ?? [])
            .Select(p => (p.AccountId, Posting: (Posting?)p, Held: 0L))
            .Concat(command.Holds.Select(h => (h.AccountId, Posting: (Posting?)null, Held: h.Delta)))
            .GroupBy(c => c.AccountId);
        foreach (var change in changes)
        {
            if (!accounts.TryGetValue(change.Key, out var account) || !account.IsOpen)
            {
                return new Refusal(change.Key, LedgerError.AccountNotFound);
            }
            long balanceDelta = 0, heldDelta = 0;
            foreach (var (_, posting, held) in change)
            {
                if (posting is not null && posting.Currency != account.Currency)
                {
                    return new Refusal(change.Key, LedgerError.CurrencyMismatch);
                }
                try
                {
                    balanceDelta = checked(balanceDelta + (posting is null ? 0 : account.BalanceDelta(posting)));
                    heldDelta = checked(heldDelta + held);
                }
                catch (OverflowException)
                {
                    return new Refusal(change.Key, new LedgerError(LedgerErrorCode.Overflow, "The amount leaves the 64-bit range."));
                }
            }
            var next = state[change.Key].Apply(balanceDelta, heldDelta, account.Floor);
            if (!next.IsSuccess)
            {
                return new Refusal(change.Key, next.Error!);
            }
            touched[change.Key] = next.Value;
        }
        foreach (var (id, balance) in touched)
        {
            state[id] = balance;
        }
        if (command.Settles is { } settledHold)
        {
            settled.Add(settledHold);
        }
        return null;
    }
}
