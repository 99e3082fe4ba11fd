using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>
/// Keeps the server's warnings and errors of one TestApp, so a failing test can say what the server saw;
/// everything it logs, from <paramref name="minimum"/> up, for tests that search the logs for secrets.
/// </summary>
public sealed class ErrorLog(LogLevel minimum = LogLevel.Warning) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public string Text => string.Join('\n', _entries);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName, minimum);

    public void Dispose()
    {
    }

    private sealed class Logger(ErrorLog log, string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log._entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}
