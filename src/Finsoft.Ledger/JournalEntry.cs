using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Finsoft.Ledger;

/// <summary>
/// One line of a journal entry. Amount is signed: a debit is positive, a credit negative, so a
/// balanced entry sums to zero per currency.
/// </summary>
public sealed record Posting(Guid AccountId, long Amount, Currency Currency)
{
    public static Posting Debit(Guid account, Money money) => new(account, money.Minor, money.Currency);

    public static Posting Credit(Guid account, Money money) => new(account, checked(-money.Minor), money.Currency);
}

/// <summary>
/// A balanced, immutable set of postings. It cannot be constructed unbalanced, with fewer than
/// two postings, or with a zero line.
/// </summary>
public sealed class JournalEntry
{
    private JournalEntry(IReadOnlyList<Posting> postings) => Postings = postings;

    public IReadOnlyList<Posting> Postings { get; }

    public static Result<JournalEntry> Create(IEnumerable<Posting> postings)
    {
        var lines = postings.ToArray();
        if (lines.Length < 2)
        {
            return new LedgerError(LedgerErrorCode.Unbalanced, "A journal entry needs at least two postings.");
        }
        if (lines.Any(p => p.Amount == 0))
        {
            return new LedgerError(LedgerErrorCode.Unbalanced, "A posting cannot be zero.");
        }
        foreach (var group in lines.GroupBy(p => p.Currency))
        {
            Int128 sum = 0;
            foreach (var p in group)
            {
                sum += p.Amount;
            }
            if (sum != 0)
            {
                return new LedgerError(LedgerErrorCode.Unbalanced, $"Debits and credits in {group.Key.Code} differ by {sum} minor units.");
            }
        }
        return new JournalEntry(lines);
    }

    /// <summary>A transfer of money from one account to another: debit the source, credit the target.</summary>
    public static JournalEntry Move(Guid debitAccount, Guid creditAccount, Money money) =>
        Create([Posting.Debit(debitAccount, money), Posting.Credit(creditAccount, money)]).Value;
}

/// <summary>
/// The hash chain over journal entries: each entry's hash covers its own content and the hash of
/// the entry before it, so changing or removing any stored entry breaks every hash after it.
/// </summary>
public static class EntryHash
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <param name="EffectiveAtUtc">
    /// When the entry counts in the books: when it was written, or the end of an earlier value date it was back-dated to. Hashed only
    /// when it differs, so entries written before value dates existed keep their hashes.
    /// </param>
    public sealed record Content(long Sequence, Guid EntryId, Guid TransactionId, DateTime CreatedAtUtc, IReadOnlyList<Posting> Postings,
        DateTime? EffectiveAtUtc = null);

    public static string Compute(Content entry, string previousHash)
    {
        var text = new StringBuilder()
            .Append(entry.Sequence.ToString(CultureInfo.InvariantCulture)).Append('|')
            .Append(entry.EntryId.ToString("N")).Append('|')
            .Append(entry.TransactionId.ToString("N")).Append('|')
            .Append(entry.CreatedAtUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append('|');
        if (entry.EffectiveAtUtc is { } effective && effective != entry.CreatedAtUtc)
        {
            text.Append("effective:").Append(effective.Ticks.ToString(CultureInfo.InvariantCulture)).Append('|');
        }
        // Sorted so the hash does not depend on the order rows come back from the database.
        foreach (var p in entry.Postings.OrderBy(p => p.AccountId).ThenBy(p => p.Currency.Code, StringComparer.Ordinal).ThenBy(p => p.Amount))
        {
            text.Append(p.AccountId.ToString("N")).Append(':')
                .Append(p.Amount.ToString(CultureInfo.InvariantCulture)).Append(':')
                .Append(p.Currency.Code).Append(';');
        }
        text.Append('|').Append(previousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
