namespace Finsoft.Ledger;

/// <summary>One account as a batch sees it once the account is locked.</summary>
public sealed record AccountState(Guid Id, Currency Currency, bool DebitNormal, bool IsOpen, AccountBalance Balance, long? Floor, bool IsWallet = true)
{
    /// <summary>How a posting moves this account's balance: debit-normal accounts rise with debits, the others with credits.</summary>
    public long BalanceDelta(Posting posting) => DebitNormal ? posting.Amount : checked(-posting.Amount);

    public bool IsOpenWallet => IsOpen && IsWallet;
}

/// <summary>A change to the funds held on an account.</summary>
public sealed record HoldChange(Guid AccountId, long Delta);

/// <summary>
/// What a command does to the books: balanced entries, changes to holds, and optionally the pending
/// hold it closes (a hold is captured or voided at most once).
/// </summary>
public sealed record LedgerCommand(IReadOnlyList<JournalEntry> Entries, IReadOnlyList<HoldChange> Holds, Guid? Settles = null)
{
    public LedgerCommand(JournalEntry? entry, IReadOnlyList<HoldChange> holds, Guid? settles = null)
        : this(entry is null ? [] : [entry], holds, settles)
    {
    }

    public static readonly LedgerCommand Nothing = new([], (IReadOnlyList<HoldChange>)[]);

    public static LedgerCommand Transfer(Guid from, Guid to, Money amount) => new(JournalEntry.Move(from, to, amount), []);

    public static LedgerCommand Hold(Guid from, Money amount) => new([], [new HoldChange(from, amount.Minor)]);

    /// <summary>Moves <paramref name="captured"/> (at most the held amount) and releases the whole hold.</summary>
    public static LedgerCommand Capture(Guid hold, Guid from, Guid to, Money held, Money captured) =>
        new(JournalEntry.Move(from, to, captured), [new HoldChange(from, checked(-held.Minor))], hold);

    public static LedgerCommand Void(Guid hold, Guid from, Money held) => new([], [new HoldChange(from, checked(-held.Minor))], hold);
}

/// <summary>Why a command was refused, and which account refused it (null when no single account did).</summary>
public sealed record Refusal(Guid? AccountId, LedgerError Error);

/// <summary>The net change a batch makes to one account.</summary>
public readonly record struct AccountDelta(Guid AccountId, long Balance, long Held);

/// <summary>
/// What a command that applies does: its books, the transaction it acted on as it stands after
/// (null for commands that start a new one), and the balances of the accounts it touched just after it.
/// </summary>
public sealed record Decision(LedgerCommand Books, TransactionState? Subject, IReadOnlyDictionary<Guid, AccountBalance> After)
{
    /// <summary>The amount the command moved, where it is not the command's own: a capture's captured amount, an adjustment's size, the part of a payment's fee a refund gives back.</summary>
    public Money? Moved { get; init; }

    /// <summary>The floor an account has after a <see cref="MoneyCommand.SetFloor"/>.</summary>
    public (Guid AccountId, long? Floor)? NewFloor { get; init; }

    /// <summary>What a <see cref="MoneyCommand.Refund"/> sends back (its own amount, or all that was left).</summary>
    public Money? Refunded { get; init; }

    /// <summary>The command's related transaction as it stands after (see <see cref="MoneyCommand.Related"/>).</summary>
    public TransactionState? Related { get; init; }
}

/// <summary>The outcome of planning a batch.</summary>
public sealed class BatchPlan(IReadOnlyList<Refusal?> refusals, IReadOnlyList<AccountDelta> deltas, IReadOnlyList<Decision?> decisions)
{
    /// <summary>Per command, in order: null when it applies, otherwise why not.</summary>
    public IReadOnlyList<Refusal?> Refusals { get; } = refusals;

    /// <summary>The net change per account, ascending by id, zero changes left out: each touched row is written once.</summary>
    public IReadOnlyList<AccountDelta> Deltas { get; } = deltas;

    /// <summary>Per command, what it did (null when refused).</summary>
    public IReadOnlyList<Decision?> Decisions { get; } = decisions;
}

/// <summary>
/// Decides a batch of commands against locked account and transaction states. The result is exactly
/// that of running the commands one after another, each all-or-nothing: a refused command changes
/// nothing and does not disturb the others. In an atomic batch one refusal refuses every command.
/// </summary>
public static class BatchPlanner
{
    public static BatchPlan Plan(IEnumerable<AccountState> accounts, IReadOnlyList<LedgerCommand> commands, bool atomic = false) =>
        Plan(accounts, [], commands.Select(c => (MoneyCommand)new MoneyCommand.Post(c)).ToList(), atomic);

    public static BatchPlan Plan(IEnumerable<AccountState> accounts, IEnumerable<TransactionState> transactions, IReadOnlyList<MoneyCommand> commands,
        bool atomic = false)
    {
        var books = new Books(accounts, transactions);
        var refusals = new Refusal?[commands.Count];
        var decisions = new Decision?[commands.Count];
        for (var i = 0; i < commands.Count; i++)
        {
            var step = MoneyRules.Decide(commands[i], books);
            if (!step.IsSuccess)
            {
                refusals[i] = new Refusal(null, step.Error!);
                continue;
            }
            var applied = books.TryApply(step.Value);
            if (applied.Refusal is { } refusal)
            {
                refusals[i] = refusal with { Error = MoneyRules.Explain(commands[i], refusal, books) };
            }
            else
            {
                decisions[i] = step.Value.ToDecision(applied.After);
            }
        }
        var firstRefused = Array.FindIndex(refusals, r => r is not null);
        if (atomic && firstRefused >= 0)
        {
            var aborted = new Refusal(null, LedgerError.BatchAborted);
            return new BatchPlan(refusals.Select((r, i) => i == firstRefused ? r : aborted).ToArray(), [], new Decision?[commands.Count]);
        }
        return new BatchPlan(refusals, books.Deltas(), decisions);
    }
}

/// <summary>
/// The batch's running view of the books: balances, floors and transactions as the commands decided so
/// far have left them. The balance rule itself is <see cref="AccountBalance.Apply"/>, written once.
/// </summary>
internal sealed class Books
{
    private readonly Dictionary<Guid, AccountState> _initial;
    private readonly Dictionary<Guid, AccountBalance> _balances;
    private readonly Dictionary<Guid, long?> _floors;
    private readonly Dictionary<Guid, TransactionState> _transactions;
    private readonly HashSet<Guid> _settled = [];

    public Books(IEnumerable<AccountState> accounts, IEnumerable<TransactionState> transactions)
    {
        _initial = accounts.ToDictionary(a => a.Id);
        _balances = _initial.ToDictionary(a => a.Key, a => a.Value.Balance);
        _floors = _initial.ToDictionary(a => a.Key, a => a.Value.Floor);
        _transactions = transactions.ToDictionary(t => t.Id);
    }

    public AccountState? Account(Guid id) =>
        _initial.TryGetValue(id, out var a) ? a with { Balance = _balances[id], Floor = _floors[id] } : null;

    public TransactionState? Transaction(Guid id) => _transactions.GetValueOrDefault(id);

    public (Refusal? Refusal, Dictionary<Guid, AccountBalance> After) TryApply(Step step)
    {
        var command = step.Books;
        var touched = new Dictionary<Guid, AccountBalance>();
        if (command.Settles is { } hold && _settled.Contains(hold))
        {
            return (new Refusal(null, LedgerError.HoldAlreadySettled), touched);
        }
        // Per account: its postings and hold change; an account whose floor is being set is checked even if nothing moves on it.
        var changes = new Dictionary<Guid, (List<Posting> Postings, long Held)>();
        foreach (var posting in command.Entries.SelectMany(e => e.Postings))
        {
            Change(posting.AccountId).Postings.Add(posting);
        }
        foreach (var h in command.Holds)
        {
            var (postings, held) = Change(h.AccountId);
            changes[h.AccountId] = (postings, held + h.Delta);
        }
        if (step.NewFloor is { } set)
        {
            Change(set.AccountId);
        }
        foreach (var (id, (postings, held)) in changes)
        {
            if (!_initial.TryGetValue(id, out var account) || !account.IsOpen)
            {
                return (new Refusal(id, LedgerError.AccountNotFound), []);
            }
            long balanceDelta = 0;
            foreach (var posting in postings)
            {
                if (posting.Currency != account.Currency)
                {
                    return (new Refusal(id, LedgerError.CurrencyMismatch), []);
                }
                try
                {
                    balanceDelta = checked(balanceDelta + account.BalanceDelta(posting));
                }
                catch (OverflowException)
                {
                    return (new Refusal(id, new LedgerError(LedgerErrorCode.Overflow, "The amount leaves the 64-bit range.")), []);
                }
            }
            var floor = step.NewFloor is { } f && f.AccountId == id ? f.Floor : _floors[id];
            var next = _balances[id].Apply(balanceDelta, held, floor);
            if (!next.IsSuccess)
            {
                return (new Refusal(id, next.Error!), []);
            }
            touched[id] = next.Value;
        }
        foreach (var (id, balance) in touched)
        {
            _balances[id] = balance;
        }
        if (step.NewFloor is { } newFloor)
        {
            _floors[newFloor.AccountId] = newFloor.Floor;
        }
        foreach (var changed in new[] { step.Subject, step.Related }.OfType<TransactionState>())
        {
            _transactions[changed.Id] = changed;
        }
        if (command.Settles is { } settledHold)
        {
            _settled.Add(settledHold);
        }
        return (null, touched);

        (List<Posting> Postings, long Held) Change(Guid id)
        {
            if (!changes.TryGetValue(id, out var change))
            {
                changes[id] = change = ([], 0);
            }
            return change;
        }
    }

    public List<AccountDelta> Deltas() => _balances
        .Select(s => new AccountDelta(s.Key, s.Value.Balance - _initial[s.Key].Balance.Balance, s.Value.Held - _initial[s.Key].Balance.Held))
        .Where(d => d.Balance != 0 || d.Held != 0)
        .OrderBy(d => d.AccountId)
        .ToList();
}
