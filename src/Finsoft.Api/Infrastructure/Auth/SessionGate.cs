using System.Threading.Channels;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Auth;

/// <summary>
/// Answers "is this token's session still alive?" for every authenticated request, from the database,
/// so logout, revocation and deactivation take effect at once on every node. Checks that arrive
/// together are answered by one query (sessions by id, joined to their users) instead of one query
/// each: under load this was most of the database work a request caused.
/// </summary>
public sealed class SessionGate(IServiceScopeFactory scopes, TimeProvider time, ILogger<SessionGate> logger) : BackgroundService
{
    private const int MaxPerQuery = 500;

    private sealed record Check(CurrentUser User, TaskCompletionSource<bool> Answer);

    private readonly Channel<Check> _queue = Channel.CreateUnbounded<Check>(new UnboundedChannelOptions { SingleReader = true });

    public async Task<bool> IsAliveAsync(CurrentUser user, CancellationToken ct)
    {
        var check = new Check(user, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(check))
        {
            throw new InvalidOperationException("The service is stopping.");
        }
        return await check.Answer.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await AnswerAsync(stoppingToken);
        }
        finally
        {
            // Stopping: nobody waits for an answer that will not come.
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left))
            {
                left.Answer.TrySetCanceled(stoppingToken);
            }
        }
    }

    private async Task AnswerAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(stoppingToken))
        {
            var checks = new List<Check>();
            while (checks.Count < MaxPerQuery && reader.TryRead(out var check))
            {
                checks.Add(check);
            }
            try
            {
                var alive = await AliveSessionsAsync(checks.Select(c => c.User.SessionId).Distinct().ToList(), stoppingToken);
                foreach (var check in checks)
                {
                    check.Answer.TrySetResult(alive.TryGetValue(check.User.SessionId, out var owner)
                        && owner.UserId == check.User.Id && owner.Role == check.User.Role);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug("Session check failed: {Message}", e.Message);
                foreach (var check in checks)
                {
                    check.Answer.TrySetException(e); // the request fails as the query did (503 when the database is down)
                }
            }
        }
    }

    private async Task<Dictionary<Guid, (Guid UserId, string Role)>> AliveSessionsAsync(List<Guid> ids, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var now = time.UtcNow();
        var rows = await db.Sessions.AsNoTracking()
            .Where(s => ids.Contains(s.Id) && s.RevokedAt == null && s.ExpiresAt > now)
            .Join(db.Users.Where(u => u.IsActive), s => s.UserId, u => u.Id, (s, u) => new { s.Id, s.UserId, u.Role })
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.Id, r => (r.UserId, r.Role));
    }
}
