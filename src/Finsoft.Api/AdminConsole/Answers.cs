using System.Text.Json;
using Finsoft.Api.Infrastructure.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Finsoft.Api.AdminConsole;

/// <summary>Reading what an API handler answered, for a page to render: its body, its next page, or what was wrong.</summary>
public static class Answers
{
    public static bool IsSuccess(JsonBody answer) => answer.StatusCode is >= 200 and < 300;

    /// <summary>The API's names, but what a page does not show is passed over (a movement's answer says more than a transaction).</summary>
    private static readonly JsonSerializerOptions Reading = new(Json.Options)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    public static T Read<T>(JsonBody answer) => JsonSerializer.Deserialize<T>(answer.Json, Reading)
        ?? throw new InvalidOperationException($"The handler answered {answer.StatusCode} without a body.");

    /// <summary>
    /// The console's own address of the next page. The handler builds it from the page's request, which after a refused form
    /// names the form's handler: the link leaves it out, as a next page is a GET of the list, and the page's other parameters
    /// that a list's next page does not need (<paramref name="drop"/>).
    /// </summary>
    public static string? Next(JsonBody answer, params string[] drop)
    {
        if (!answer.Headers.TryGetValue("Link", out var link))
        {
            return null;
        }
        var next = link.Split('<', '>')[1];
        var (path, query) = (next.Split('?')[0], QueryHelpers.ParseQuery(next.Contains('?') ? next[next.IndexOf('?')..] : ""));
        return QueryHelpers.AddQueryString(path, query.Where(q => q.Key != "handler" && !drop.Contains(q.Key)).SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v))));
    }

    /// <summary>A refusal in words for the page: the problem's message and each field's.</summary>
    public static string Problem(JsonBody answer)
    {
        using var problem = JsonDocument.Parse(answer.Json);
        var root = problem.RootElement;
        var parts = new List<string>();
        if (root.TryGetProperty("error", out var error) && error.GetString() is { } message)
        {
            parts.Add(message);
        }
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
        {
            parts.AddRange(errors.EnumerateObject().SelectMany(field => field.Value.EnumerateArray().Select(v => v.GetString() ?? "")));
        }
        return parts.Count == 0 ? "The request was refused." : string.Join(" ", parts);
    }
}
