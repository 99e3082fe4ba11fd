namespace Finsoft.Ledger.Tests;

public class JournalEntryTests
{
    private static readonly Currency Mxn = Currency.Get("MXN");
    private static readonly Currency Usd = Currency.Get("USD");
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid();

    [Fact]
    public void A_move_is_a_balanced_debit_and_credit()
    {
        var entry = JournalEntry.Move(A, B, new Money(500, Mxn));
        Assert.Equal([new Posting(A, 500, Mxn), new Posting(B, -500, Mxn)], entry.Postings);
    }

    [Fact]
    public void Unbalanced_single_line_and_zero_line_entries_cannot_exist()
    {
        Assert.False(JournalEntry.Create([new Posting(A, 500, Mxn), new Posting(B, -499, Mxn)]).IsSuccess);
        Assert.False(JournalEntry.Create([new Posting(A, 0, Mxn), new Posting(B, 0, Mxn)]).IsSuccess);
        Assert.False(JournalEntry.Create([new Posting(A, 500, Mxn)]).IsSuccess);
        Assert.False(JournalEntry.Create([]).IsSuccess);
        // Balanced in total but not per currency.
        Assert.False(JournalEntry.Create([new Posting(A, 500, Mxn), new Posting(B, -500, Usd)]).IsSuccess);
    }

    [Fact]
    public void Entries_balance_per_currency_with_many_lines_and_extreme_amounts()
    {
        Assert.True(JournalEntry.Create([new Posting(A, 300, Mxn), new Posting(B, -100, Mxn), new Posting(C, -200, Mxn), new Posting(A, 7, Usd), new Posting(C, -7, Usd)]).IsSuccess);
        Assert.True(JournalEntry.Create([new Posting(A, long.MaxValue, Mxn), new Posting(B, long.MaxValue, Mxn), new Posting(C, -long.MaxValue, Mxn), new Posting(C, -long.MaxValue, Mxn)]).IsSuccess);
    }

    [Fact]
    public void The_hash_covers_every_field_and_the_previous_hash_but_not_row_order()
    {
        var id = Guid.NewGuid();
        var tx = Guid.NewGuid();
        var at = new DateTime(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);
        var postings = JournalEntry.Move(A, B, new Money(500, Mxn)).Postings;
        var content = new EntryHash.Content(1, id, tx, at, postings);
        var hash = EntryHash.Compute(content, EntryHash.Genesis);
        Assert.Equal(hash, EntryHash.Compute(content with { Postings = postings.Reverse().ToList() }, EntryHash.Genesis));
        Assert.Equal(64, hash.Length);
        string[] altered =
        [
            EntryHash.Compute(content with { Sequence = 2 }, EntryHash.Genesis),
            EntryHash.Compute(content with { EntryId = Guid.NewGuid() }, EntryHash.Genesis),
            EntryHash.Compute(content with { TransactionId = Guid.NewGuid() }, EntryHash.Genesis),
            EntryHash.Compute(content with { CreatedAtUtc = at.AddTicks(10) }, EntryHash.Genesis),
            EntryHash.Compute(content with { Postings = JournalEntry.Move(A, B, new Money(501, Mxn)).Postings }, EntryHash.Genesis),
            EntryHash.Compute(content with { Postings = JournalEntry.Move(A, C, new Money(500, Mxn)).Postings }, EntryHash.Genesis),
            EntryHash.Compute(content with { Postings = JournalEntry.Move(A, B, new Money(500, Usd)).Postings }, EntryHash.Genesis),
            EntryHash.Compute(content, hash),
            EntryHash.Compute(content with { EffectiveAtUtc = new DateTime(2026, 10, 31, 23, 59, 59, DateTimeKind.Utc) }, EntryHash.Genesis),
        ];
        Assert.DoesNotContain(hash, altered);
        Assert.Equal(altered.Length, altered.Distinct().Count());
        // An entry that counts when it was written hashes as entries did before value dates: the chains already stored still verify.
        Assert.Equal(hash, EntryHash.Compute(content with { EffectiveAtUtc = at }, EntryHash.Genesis));
    }
}

public class TransactionLifecycleTests
{
    public static TheoryData<TransactionStatus, TransactionStatus> Allowed => new()
    {
        { TransactionStatus.Pending, TransactionStatus.Processing },
        { TransactionStatus.Pending, TransactionStatus.Completed }, // a captured hold
        { TransactionStatus.Pending, TransactionStatus.Failed },
        { TransactionStatus.Processing, TransactionStatus.Completed },
        { TransactionStatus.Processing, TransactionStatus.Failed },
        { TransactionStatus.Failed, TransactionStatus.Pending },
    };

    [Fact]
    public void Exactly_the_seed_001_moves_are_allowed_and_completed_is_final()
    {
        var allowed = Allowed.Select(row => ((TransactionStatus)row[0], (TransactionStatus)row[1])).ToHashSet();
        foreach (var from in Enum.GetValues<TransactionStatus>())
        {
            foreach (var to in Enum.GetValues<TransactionStatus>())
            {
                Assert.Equal(allowed.Contains((from, to)), TransactionLifecycle.CanMove(from, to));
                Assert.Equal(allowed.Contains((from, to)), TransactionLifecycle.Move(from, to).IsSuccess);
            }
        }
        Assert.DoesNotContain(Enum.GetValues<TransactionStatus>(), to => TransactionLifecycle.CanMove(TransactionStatus.Completed, to));
    }

    [Theory]
    [InlineData("completed", TransactionStatus.Completed)]
    [InlineData("PENDING", TransactionStatus.Pending)]
    public void Statuses_parse_by_name(string text, TransactionStatus status) => Assert.Equal(status, TransactionLifecycle.ParseStatus(text));

    [Theory]
    [InlineData("0")]
    [InlineData("7")]
    [InlineData("DONE")]
    [InlineData(null)]
    public void Numbers_and_unknown_names_are_not_statuses(string? text) => Assert.Null(TransactionLifecycle.ParseStatus(text));
}
