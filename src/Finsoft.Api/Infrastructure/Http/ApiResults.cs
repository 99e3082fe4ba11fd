using Finsoft.Api.Host.Observability;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Finsoft.Api.Infrastructure.Http;

/// <summary>
/// A response already serialised to JSON. Money-moving handlers build these inside their database
/// transaction so the idempotency record stores exactly the bytes the client receives.
/// </summary>
public sealed class JsonBody(int statusCode, string json, string contentType = "application/json") : IResult, IStatusCodeHttpResult
{
    public int StatusCode { get; } = statusCode;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public string Json { get; } = json;

    public string ContentType { get; } = contentType;

    public Dictionary<string, string> Headers { get; } = [];

    /// <summary>How an earlier request's Idempotency-Key answered this one, if it did; counted once, when the answer is written.</summary>
    public string? Replay { get; private set; }

    public JsonBody AsReplay(string outcome)
    {
        Replay = outcome;
        return this;
    }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (Replay is { } outcome)
        {
            FinsoftMetrics.Replayed(outcome);
        }
        httpContext.Response.StatusCode = StatusCode;
        httpContext.Response.ContentType = ContentType;
        foreach (var (name, value) in Headers)
        {
            httpContext.Response.Headers[name] = value;
        }
        return httpContext.Response.WriteAsync(Json, Encoding.UTF8);
    }
}

/// <summary>Builders for success bodies and for RFC 9457 problems that also carry seed 000's `code` and `error`.</summary>
public static class ApiResults
{
    public const string ProblemContentType = "application/problem+json";

    public static JsonBody Ok<T>(T body) => new(StatusCodes.Status200OK, Json.Serialize(body));

    public static JsonBody Created<T>(T body) => new(StatusCodes.Status201Created, Json.Serialize(body));

    public static JsonBody Accepted<T>(T body) => new(StatusCodes.Status202Accepted, Json.Serialize(body));

    public static JsonBody Deleted(string message) => Ok(new StatusMessage("Ok", message));

    /// <param name="errorCode">What went wrong in a word a client can branch on (`insufficient_funds`, `compliance_review`), where there is one.</param>
    public static JsonBody Problem(int status, string error, IDictionary<string, string[]>? errors = null, string? errorCode = null) =>
        new(status, Json.Serialize(new ProblemBody(
            Type: "about:blank",
            Title: ReasonPhrases.GetReasonPhrase(status),
            Status: status,
            Detail: error,
            Code: status,
            Error: error,
            Errors: errors,
            ErrorCode: errorCode)), ProblemContentType);

    public static JsonBody NotFound(string error) => Problem(StatusCodes.Status404NotFound, error);

    public static JsonBody Conflict(string error) => Problem(StatusCodes.Status409Conflict, error);

    public static JsonBody Unprocessable(string error) => Problem(StatusCodes.Status422UnprocessableEntity, error);

    public static JsonBody Invalid(IDictionary<string, string[]> errors) =>
        Problem(StatusCodes.Status422UnprocessableEntity, "One or more fields are invalid: " + string.Join(", ", errors.Keys), errors);

    public static Task WriteProblemAsync(HttpContext context, int status, string error)
    {
        var body = Problem(status, error);
        return body.ExecuteAsync(context);
    }
}

public sealed record StatusMessage(string Status, string Message);

/// <summary>`code` is seed 000's copy of the status, which its clients read; <see cref="ErrorCode"/> names the problem itself.</summary>
public sealed record ProblemBody(
    string Type, string Title, int Status, string Detail, int Code, string Error,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IDictionary<string, string[]>? Errors,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? ErrorCode = null);

public static class OpenApiErrors
{
    /// <summary>Declares error responses with Finsoft's real problem shape (RFC 9457 plus `code` and `error`).</summary>
    public static TBuilder ProducesError<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(statuses
            .Select(status => (object)new Microsoft.AspNetCore.Http.ProducesResponseTypeMetadata(status, typeof(ProblemBody), [ApiResults.ProblemContentType]))
            .ToArray());
}
