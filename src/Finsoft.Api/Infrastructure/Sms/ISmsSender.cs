namespace Finsoft.Api.Infrastructure.Sms;

/// <summary>
/// Sends a text message to a phone number (E.164). A gateway adapter (an SMS provider's API) implements it in production; the
/// development one writes to a file. Implementations must never log the text: it holds one-time codes.
/// </summary>
public interface ISmsSender
{
    Task SendAsync(string phone, string text, CancellationToken ct);
}

/// <summary>
/// The development sender: appends <c>time, phone, text</c> as one tab-separated line to a file, where a developer (or a test)
/// reads the code. Never in Production (startup refuses it there).
/// </summary>
public sealed class OutboxFileSmsSender(string path, TimeProvider time) : ISmsSender
{
    private readonly SemaphoreSlim _append = new(1, 1);

    public async Task SendAsync(string phone, string text, CancellationToken ct)
    {
        await _append.WaitAsync(ct);
        try
        {
            await File.AppendAllTextAsync(path, $"{time.GetUtcNow():O}\t{phone}\t{text.ReplaceLineEndings(" ")}\n", ct);
        }
        finally
        {
            _append.Release();
        }
    }
}
