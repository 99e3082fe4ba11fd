using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Auth;

public static class SessionRevocation
{
    /// <summary>
    /// Ends the sessions still live among these: on every node at once, their access tokens fail the
    /// session check and their refresh tokens stop working. Returns how many it ended.
    /// </summary>
    public static Task<int> RevokeAsync(this IQueryable<SessionRow> sessions, DateTime now, CancellationToken ct) =>
        sessions.Where(s => s.RevokedAt == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), ct);
}
