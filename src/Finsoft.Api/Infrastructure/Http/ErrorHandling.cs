using System.Text.Json;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Diagnostics;

namespace Finsoft.Api.Infrastructure.Http;

/// <summary>
/// Turns the few exceptions that reach the top into problem responses: a malformed request is the
/// client's 4xx; a database that cannot be reached is a 503 (the client retries, with its idempotency
/// key: whether an interrupted commit happened is unknown, so the server must not retry it blindly; Retry-After
/// says when);
/// anything else is logged and answered with a 500 that reveals nothing internal.
/// </summary>
public sealed class ErrorHandler(ILogger<ErrorHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted)
        {
            return false;
        }
        var (status, message) = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "Request body is too large."),
            BadHttpRequestException bad when FindJsonError(bad) is { } json => (400, DescribeJsonError(json)),
            BadHttpRequestException bad => (bad.StatusCode, "The request is malformed: " + SafeBindingMessage(bad)),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (499, "Client closed the request."),
            _ when Refusal(exception) is { } refusal => refusal,
            _ when DatabaseSetup.IsUnavailable(exception) => (503, "The database is unavailable; retry the request with the same Idempotency-Key."),
            _ => (500, "An unexpected error occurred."),
        };
        if (status == 503)
        {
            // Long enough for a pool to reconnect or a standby to be promoted; the client keeps its Idempotency-Key.
            httpContext.Response.Headers.RetryAfter = "1";
            logger.LogWarning("Database unavailable for {Method} {Path}: {Message}", httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
        }
        else if (status >= 500)
        {
            logger.LogError(exception, "Unhandled exception for {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }
        await ApiResults.WriteProblemAsync(httpContext, status, message);
        return true;
    }

    /// <summary>
    /// The refusals a handler raises from deep in a read or a write (a period inside the archived months, a person erased
    /// meanwhile): the client's 4xx with its message. Console pages reach this handler too; the ledger page says it in place, keeping its form.
    /// </summary>
    public static (int Status, string Message)? Refusal(Exception exception) => exception switch
    {
        MoneyPath.Archiving.ArchivedHistoryException archived => (StatusCodes.Status422UnprocessableEntity, archived.Message),
        Security.PersonErasedException erased => (StatusCodes.Status409Conflict, erased.Message),
        _ => null,
    };

    private static JsonException? FindJsonError(Exception exception)
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is JsonException json)
            {
                return json;
            }
        }
        return null;
    }

    private static string DescribeJsonError(JsonException json)
    {
        // The serializer's own message names .NET types; say only where the problem is.
        var path = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "the body" : json.Path;
        var unknown = json.Message.Contains("could not be mapped", StringComparison.Ordinal);
        return unknown
            ? $"The request body has a field this endpoint does not accept ({path})."
            : $"The request body is not valid JSON for this endpoint (at {path}).";
    }

    private static string SafeBindingMessage(BadHttpRequestException bad) =>
        bad.Message.Contains("Required parameter", StringComparison.Ordinal) || bad.Message.Contains("body was not provided", StringComparison.Ordinal)
            ? "a JSON body is required."
            : bad.Message.Contains("Failed to bind parameter", StringComparison.Ordinal)
                ? "a query or route value has the wrong format."
                : "it could not be read.";
}
