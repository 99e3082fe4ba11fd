using System.Reflection;
using System.Text.RegularExpressions;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.MoneyPath.Idempotency;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Finsoft.Api.Host;

/// <summary>
/// What the OpenAPI document says of each operation, from the endpoint itself so it cannot drift from the code: an
/// operationId and a summary named after the handler (`ListAccounts.Handle` is `listAccounts`, "List accounts";
/// `PaymentMethods.Create` is `paymentMethodsCreate`), a description saying who may call it and whether it takes an
/// Idempotency-Key, and the bearer token required on every operation but those open to anyone.
/// </summary>
internal static partial class OpenApiOperations
{
    public static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, OpenApiSecuritySchemeReference bearer)
    {
        var endpoint = context.Description.ActionDescriptor.EndpointMetadata;
        var handler = endpoint.OfType<MethodInfo>().FirstOrDefault();
        var name = NameOf(handler) ?? NameOf(context.Description.HttpMethod ?? "", context.Description.RelativePath ?? "");
        operation.OperationId ??= char.ToLowerInvariant(name[0]) + name[1..];
        operation.Summary ??= Humanize(name);

        var anonymous = endpoint.OfType<IAllowAnonymous>().Any();
        var roles = endpoint.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>()
            .Select(p => Policies.RolesAllowed.GetValueOrDefault(p)).OfType<string[]>()
            .Aggregate((IEnumerable<string>?)null, (allowed, next) => allowed is null ? next : allowed.Intersect(next))?.ToList();
        var who = anonymous ? "Open to anyone: no token." : roles is null ? "Needs a bearer token." : $"Needs a bearer token; roles: {string.Join(", ", roles)}.";
        var keyed = endpoint.OfType<IdempotencyHeaderMetadata>().Any()
            ? " Send an Idempotency-Key to make a retry safe: the same key and body replay the first response." : "";
        operation.Description ??= $"{operation.Summary}. {who}{keyed}";
        if (!anonymous)
        {
            operation.Security = [new OpenApiSecurityRequirement { [bearer] = [] }];
        }
        return Task.CompletedTask;
    }

    /// <summary>`Handle` is the use case its class names; any other method is qualified by its class.</summary>
    private static string? NameOf(MethodInfo? handler) => handler switch
    {
        null => null,
        _ when handler.Name.Contains('<') || handler.DeclaringType is not { } type || type.Name.Contains('<') => null, // a lambda
        { Name: "Handle" } => handler.DeclaringType.Name,
        _ => handler.DeclaringType.Name.Replace("Endpoints", "", StringComparison.Ordinal) + handler.Name.Replace("Async", "", StringComparison.Ordinal),
    };

    /// <summary>For an inline handler: the method and the route's literal segments (`GET api/v1/ledger/verify` is `getLedgerVerify`).</summary>
    private static string NameOf(string method, string route) =>
        method.ToLowerInvariant() + string.Concat(route.Split('/').Where(s => s.Length > 0 && s[0] != '{' && s is not ("api" or "v1"))
            .Select(s => string.Concat(s.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]))));

    private static string Humanize(string name)
    {
        var words = WordStart().Replace(name, " $1").Trim().ToLowerInvariant();
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex WordStart();
}
