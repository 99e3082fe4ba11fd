using System.Globalization;
using System.Threading.RateLimiting;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Host;
using Microsoft.AspNetCore.RateLimiting;

namespace Finsoft.Api.Infrastructure.Http;

/// <summary>
/// ASP.NET Core's rate limiter: the sign-in endpoints per client address (password and code guessing),
/// everything a signed-in user calls per user. Over the limit: 429 with Retry-After. Counters live in
/// each process, so N nodes allow N times the figure.
/// </summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";

    public static IServiceCollection AddFinsoftRateLimits(this IServiceCollection services, RateLimitOptions options)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                context.HttpContext.Response.Headers.RetryAfter =
                    Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return new ValueTask(ApiResults.WriteProblemAsync(context.HttpContext, StatusCodes.Status429TooManyRequests,
                    "Too many requests; retry after the time in the Retry-After header"));
            };
            limiter.AddPolicy(SignIn, http => RateLimitPartition.GetFixedWindowLimiter(
                "address:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.AuthPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            // A third-party provider is limited like one user, across every customer it reads for.
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                (CurrentUser.TryFrom(http.User) is { } user ? "user:" + user.Id.ToString("N")
                    : http.User.FindFirst(TokenClaims.ClientId) is { } tpp ? "tpp:" + tpp.Value : null) is { } caller
                    ? RateLimitPartition.GetFixedWindowLimiter(caller,
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = options.UserPerSecond, Window = TimeSpan.FromSeconds(1), QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter(""));
        });
        return services;
    }
}
