namespace Finsoft.Ledger.Reconciliation;

/// <summary>How close a statement line must come to a ledger movement: an amount tolerance in minor units and a window of days.</summary>
public sealed record MatchRules(long AmountTolerance = 0, int DateWindowDays = 3);

public enum MatchKind
{
    /// <summary>The line names the movement (its transaction or payout reference) and the amounts agree within the tolerance.</summary>
    Reference,

    /// <summary>No reference matched, but exactly one movement of that amount lies within the window.</summary>
    AmountAndDate,

    /// <summary>One line covers several movements: the bank booked a day's payouts (or receipts) as one.</summary>
    OneToMany,
}

public sealed record Match(int Line, IReadOnlyList<Guid> Ledger, MatchKind Kind);

/// <summary>A line that names a movement whose amount differs beyond the tolerance (or falls outside the window).</summary>
public sealed record Discrepancy(int Line, Guid Ledger, string Kind, long StatementAmount, long LedgerAmount, DateOnly StatementDate, DateOnly LedgerDate);

public sealed record MatchResult(IReadOnlyList<Match> Matches, IReadOnlyList<LedgerItem> UnmatchedLedger, IReadOnlyList<StatementLine> UnmatchedStatement,
    IReadOnlyList<Discrepancy> Discrepancies);

/// <summary>
/// Matches a bank statement against the ledger's movements of the settlement account, in three passes, each over what the one
/// before left: by reference (a reference that names a movement whose amount or date disagrees is a discrepancy, not a match);
/// by amount within the tolerance and date within the window, taken only when exactly one movement fits (two equal payouts the
/// same day are left for a person, not guessed); and one line for several movements — a line whose amount is the sum of the
/// unmatched movements of one direction on one day. A second line naming a movement already matched is a duplicate. Movements
/// left over are reported only when dated within the statement's days. About n log n in the lines and movements.
/// </summary>
public static class Matcher
{
    public static MatchResult Match(IReadOnlyList<LedgerItem> ledger, IReadOnlyList<StatementLine> statement, MatchRules rules)
    {
        var open = ledger.ToDictionary(l => l.Id);
        var byReference = new Dictionary<string, LedgerItem>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in ledger)
        {
            byReference.TryAdd(item.Reference, item);
            byReference.TryAdd(item.Id.ToString(), item);
        }
        var matches = new List<Match>();
        var discrepancies = new List<Discrepancy>();
        var left = new List<StatementLine>();

        foreach (var line in statement)
        {
            if (line.Reference is { } reference && byReference.TryGetValue(reference, out var named) && !open.ContainsKey(named.Id))
            {
                // The movement it names was matched by an earlier line: a duplicate, never a match for some other movement of that amount.
                discrepancies.Add(new Discrepancy(line.Number, named.Id, "duplicate_reference", line.Amount, named.Amount, line.ValueDate, named.Date));
            }
            else if (line.Reference is { } known && byReference.TryGetValue(known, out named))
            {
                open.Remove(named.Id);
                if (Math.Abs(line.Amount - named.Amount) <= rules.AmountTolerance && Within(line.ValueDate, named.Date, rules))
                {
                    matches.Add(new Match(line.Number, [named.Id], MatchKind.Reference));
                }
                else
                {
                    var kind = Math.Abs(line.Amount - named.Amount) > rules.AmountTolerance ? "amount_mismatch" : "date_outside_window";
                    discrepancies.Add(new Discrepancy(line.Number, named.Id, kind, line.Amount, named.Amount, line.ValueDate, named.Date));
                }
            }
            else
            {
                left.Add(line);
            }
        }

        // Second pass: by amount and date, the movements sorted by amount so that the ones within the tolerance are found by a
        // binary search, whatever the tolerance.
        var sorted = open.Values.OrderBy(i => i.Amount).ToArray();
        var amounts = sorted.Select(i => i.Amount).ToArray();
        var unmatched = new List<StatementLine>();
        foreach (var line in left)
        {
            var candidates = new List<LedgerItem>();
            var low = line.Amount - rules.AmountTolerance;
            var at = Array.BinarySearch(amounts, low);
            for (at = at < 0 ? ~at : FirstOf(amounts, at); at < sorted.Length && amounts[at] <= line.Amount + rules.AmountTolerance; at++)
            {
                if (open.ContainsKey(sorted[at].Id) && Within(line.ValueDate, sorted[at].Date, rules))
                {
                    candidates.Add(sorted[at]);
                    if (candidates.Count > 1)
                    {
                        break; // two fit: a person decides
                    }
                }
            }
            if (candidates.Count == 1)
            {
                open.Remove(candidates[0].Id);
                matches.Add(new Match(line.Number, [candidates[0].Id], MatchKind.AmountAndDate));
            }
            else
            {
                unmatched.Add(line);
            }
        }

        // Third pass: one line for a day's movements of one direction.
        var unmatchedStatement = new List<StatementLine>();
        var byDay = open.Values.GroupBy(i => (i.Date, Math.Sign(i.Amount))).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var line in unmatched)
        {
            var sameDay = byDay.TryGetValue((line.ValueDate, Math.Sign(line.Amount)), out var day) ? day.Where(i => open.ContainsKey(i.Id)).ToList() : [];
            if (sameDay.Count > 1 && Math.Abs(sameDay.Sum(i => i.Amount) - line.Amount) <= rules.AmountTolerance)
            {
                foreach (var item in sameDay)
                {
                    open.Remove(item.Id);
                }
                matches.Add(new Match(line.Number, [.. sameDay.OrderBy(i => i.Id).Select(i => i.Id)], MatchKind.OneToMany));
            }
            else
            {
                unmatchedStatement.Add(line);
            }
        }
        // Movements read for the window around the statement but dated outside its days belong to other statements: not reported.
        var (first, last) = statement.Count == 0 ? (DateOnly.MaxValue, DateOnly.MinValue) : (statement.Min(l => l.ValueDate), statement.Max(l => l.ValueDate));
        return new MatchResult(matches.OrderBy(m => m.Line).ToList(), ledger.Where(l => open.ContainsKey(l.Id) && l.Date >= first && l.Date <= last).ToList(),
            unmatchedStatement, discrepancies);
    }

    /// <summary>The first index of a run of equal amounts that a binary search landed inside.</summary>
    private static int FirstOf(long[] amounts, int at)
    {
        while (at > 0 && amounts[at - 1] == amounts[at])
        {
            at--;
        }
        return at;
    }

    private static bool Within(DateOnly statement, DateOnly ledger, MatchRules rules) => Math.Abs(statement.DayNumber - ledger.DayNumber) <= rules.DateWindowDays;
}
