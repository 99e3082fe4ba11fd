namespace Finsoft.Ledger;

/// <summary>Either a value or a business error: expected outcomes travel as values, not exceptions.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, LedgerError? error)
    {
        _value = value;
        Error = error;
    }

    public LedgerError? Error { get; }

    public bool IsSuccess => Error is null;

    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"No value: {Error!.Message}");

#pragma warning disable CA2225 // implicit conversions are the point: `return error;` and `return value;`
    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(LedgerError error) => new(default, error);
#pragma warning restore CA2225
}
