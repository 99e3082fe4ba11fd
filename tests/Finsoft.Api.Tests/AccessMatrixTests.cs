using System.Net;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>
/// The permission matrix, cell by cell: every API endpoint is listed here with the policy the README
/// gives it, the app must declare exactly that, and a real token of every role must be admitted or
/// refused (403) accordingly; no token at all gets 401.
/// </summary>
public abstract class AccessMatrixTests(DatabaseKind kind)
{
    private const string Anonymous = "anonymous";

    /// <summary>The README's table. A new endpoint fails the test until it is added here (and there).</summary>
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["POST /api/v1/users"] = Anonymous,
        ["POST /api/v1/auth/login"] = Anonymous,
        ["POST /api/v1/auth/refresh"] = Anonymous,
        ["POST /api/v1/auth/mfa/login"] = Anonymous,
        ["GET /api/v1/auth/me"] = Policies.SignedIn,
        ["POST /api/v1/auth/password"] = Policies.SignedIn,
        ["POST /api/v1/auth/mfa/enable"] = Policies.SignedIn,
        ["POST /api/v1/auth/mfa/verify"] = Policies.SignedIn,
        ["POST /api/v1/auth/mfa/disable"] = Policies.SignedIn,
        ["POST /api/v1/auth/mfa/sms/enable"] = Policies.SignedIn,
        ["POST /api/v1/auth/mfa/sms/verify"] = Policies.SignedIn,
        ["POST /api/v1/auth/mfa/sms/confirmation"] = Policies.SignedIn,
        ["POST /api/v1/auth/mfa/sms/send"] = Anonymous,
        ["GET /api/v1/auth/oidc/providers"] = Anonymous,
        ["GET /api/v1/auth/oidc/{provider}/login"] = Anonymous,
        ["GET /api/v1/auth/oidc/{provider}/complete"] = Anonymous,
        ["POST /api/v1/auth/oidc/link"] = Anonymous,
        ["GET /api/v1/users/me/profile"] = Policies.SignedIn,
        ["PUT /api/v1/users/me/profile"] = Policies.SignedIn,
        ["GET /api/v1/accounts"] = Policies.SignedIn,
        ["GET /api/v1/accounts/available-balance"] = Policies.SignedIn,
        ["GET /api/v1/accounts/{id:guid}"] = Policies.SignedIn,
        ["GET /api/v1/accounts/{id:guid}/balance"] = Policies.SignedIn,
        ["GET /api/v1/accounts/{id:guid}/limits"] = Policies.SignedIn,
        ["GET /api/v1/accounts/{id:guid}/transactions"] = Policies.SignedIn,
        ["GET /api/v1/transactions"] = Policies.SignedIn,
        ["GET /api/v1/transactions/{id:guid}"] = Policies.SignedIn,
        ["GET /api/v1/events"] = Policies.SignedIn,
        ["POST /api/v1/accounts"] = Policies.MoveMoney,
        ["DELETE /api/v1/accounts/{id:guid}"] = Policies.MoveMoney,
        ["GET /api/v1/destination-accounts"] = Policies.MoveMoney,
        ["POST /api/v1/destination-accounts"] = Policies.MoveMoney,
        ["GET /api/v1/destination-accounts/{id:guid}"] = Policies.MoveMoney,
        ["DELETE /api/v1/destination-accounts/{id:guid}"] = Policies.MoveMoney,
        ["PUT /api/v1/destination-accounts/{id:guid}/verify"] = Policies.MoveMoney,
        ["GET /api/v1/payments/methods"] = Policies.MoveMoney,
        ["POST /api/v1/payments/methods"] = Policies.MoveMoney,
        ["DELETE /api/v1/payments/methods/{id:guid}"] = Policies.MoveMoney,
        ["POST /api/v1/payments/process"] = Policies.MoveMoney,
        ["POST /api/v1/payments/{id:guid}/refund"] = Policies.MoveMoney,
        ["GET /api/v1/payments"] = Policies.SignedIn,
        ["GET /api/v1/payments/{id:guid}"] = Policies.SignedIn,
        ["POST /api/v1/payments/webhook/{provider}"] = Anonymous,
        ["GET /api/v1/webhooks/endpoints"] = Policies.MoveMoney,
        ["POST /api/v1/webhooks/endpoints"] = Policies.MoveMoney,
        ["GET /api/v1/webhooks/endpoints/{id:guid}"] = Policies.MoveMoney,
        ["DELETE /api/v1/webhooks/endpoints/{id:guid}"] = Policies.MoveMoney,
        ["POST /api/v1/webhooks/endpoints/{id:guid}/rotate-secret"] = Policies.MoveMoney,
        ["POST /api/v1/webhooks/endpoints/{id:guid}/enable"] = Policies.MoveMoney,
        ["GET /api/v1/webhooks/endpoints/{id:guid}/deliveries"] = Policies.MoveMoney,
        ["POST /api/v1/webhooks/endpoints/{id:guid}/deliveries/{deliveryId:guid}/retry"] = Policies.MoveMoney,
        ["POST /api/v1/transactions/transfer"] = Policies.MoveMoney,
        ["POST /api/v1/transactions/batch"] = Policies.MoveMoney,
        ["POST /api/v1/transactions/withdrawal"] = Policies.MoveMoney,
        ["POST /api/v1/transactions/{id:guid}/reverse"] = Policies.MoveMoney,
        ["POST /api/v1/transactions/{id:guid}/capture"] = Policies.MoveMoney,
        ["POST /api/v1/transactions/{id:guid}/void"] = Policies.MoveMoney,
        ["POST /api/v1/transactions/{id:guid}/retry"] = Policies.MoveMoney,
        ["GET /api/v1/records"] = Policies.SignedIn,
        ["GET /api/v1/records/{id:guid}"] = Policies.SignedIn,
        ["POST /api/v1/records"] = Policies.Records,
        ["PATCH /api/v1/records/{id:guid}"] = Policies.Records,
        ["DELETE /api/v1/records/{id:guid}"] = Policies.Records,
        ["POST /api/v1/records/{id:guid}/restore"] = Policies.Records,
        ["POST /api/v1/transactions/{id:guid}/category"] = Policies.Records,
        ["GET /api/v1/dashboard/summary"] = Policies.SignedIn,
        ["GET /api/v1/dashboard/categories"] = Policies.Records,
        ["GET /api/v1/dashboard/trends"] = Policies.Records,
        ["GET /api/v1/dashboard/recent"] = Policies.Records,
        ["GET /api/v1/accounts/{id:guid}/statement"] = Policies.SignedIn,
        ["GET /api/v1/accounts/biggest"] = Policies.SignedIn,
        ["GET /api/v1/reports/trial-balance"] = Policies.Insights,
        ["GET /api/v1/reports/balance-sheet"] = Policies.Insights,
        ["GET /api/v1/reports/income-statement"] = Policies.Insights,
        ["GET /api/v1/reports/cash-flow"] = Policies.Insights,
        ["GET /api/v1/fx/rates"] = Policies.SignedIn,
        ["POST /api/v1/fx/rates"] = Policies.Admin,
        ["GET /api/v1/fx/rates/recorded"] = Policies.Insights,
        ["POST /api/v1/fx/quotes"] = Policies.MoveMoney,
        ["GET /api/v1/ledger/verify"] = Policies.Insights,
        ["GET /api/v1/ledger/analytics"] = Policies.Insights,
        ["POST /api/v1/ledger/verifications"] = Policies.Admin,
        ["GET /api/v1/ledger/verifications"] = Policies.Insights,
        ["GET /api/v1/ledger/verifications/{id:guid}"] = Policies.Insights,
        ["POST /api/v1/ledger/archives"] = Policies.Admin,
        ["GET /api/v1/ledger/archives"] = Policies.Insights,
        ["PUT /api/v1/accounts/{id:guid}"] = Policies.Admin,
        ["PUT /api/v1/accounts/{id:guid}/limits"] = Policies.Admin,
        ["POST /api/v1/transactions/deposit"] = Policies.Admin,
        ["GET /api/v1/admin/users"] = Policies.Admin,
        ["POST /api/v1/admin/users"] = Policies.Admin,
        ["GET /api/v1/admin/users/{id:guid}"] = Policies.Admin,
        ["PATCH /api/v1/admin/users/{id:guid}"] = Policies.Admin,
        ["DELETE /api/v1/admin/users/{id:guid}"] = Policies.Admin,
        ["POST /api/v1/admin/users/{id:guid}/unlock"] = Policies.Admin,
        ["GET /api/v1/admin/users/{id:guid}/profile"] = Policies.Admin,
        ["PUT /api/v1/admin/users/{id:guid}/profile"] = Policies.Admin,
        ["GET /api/v1/admin/users/{id:guid}/accounts"] = Policies.Admin,
        ["POST /api/v1/admin/users/{id:guid}/accounts"] = Policies.Admin,
        ["DELETE /api/v1/admin/users/{id:guid}/accounts/{accountId:guid}"] = Policies.Admin,
        ["GET /api/v1/admin/audit"] = Policies.Admin,
        ["POST /api/v1/aml/watchlists"] = Policies.Admin,
        ["GET /api/v1/aml/watchlists"] = Policies.Insights,
        ["POST /api/v1/aml/screenings"] = Policies.Insights,
        ["GET /api/v1/aml/screenings"] = Policies.Insights,
        ["GET /api/v1/aml/screenings/{id:guid}"] = Policies.Insights,
        ["POST /api/v1/aml/reschedule/{entity_type}/{entity_id:guid}"] = Policies.Insights,
        ["GET /api/v1/reviews"] = Policies.Insights,
        ["GET /api/v1/reviews/{id:guid}"] = Policies.Insights,
        ["POST /api/v1/reviews/{id:guid}/decision"] = Policies.Insights,
        ["GET /api/v1/risk/customers/{user_id:guid}"] = Policies.Insights,
        ["GET /api/v1/risk/rules"] = Policies.Admin,
        ["PUT /api/v1/risk/rules"] = Policies.Admin,
        ["POST /api/v1/credit/scores"] = Policies.Credit,
        ["GET /api/v1/credit/scores"] = Policies.Credit,
        ["GET /api/v1/credit/scores/{id:guid}"] = Policies.Credit,
        ["POST /api/v1/credit/scores/{id:guid}/review-request"] = Policies.Credit,
        ["POST /api/v1/credit/scores/{id:guid}/review"] = Policies.Insights,
        ["POST /api/v1/credit/products"] = Policies.Admin,
        ["GET /api/v1/credit/products"] = Policies.Credit,
        ["GET /api/v1/credit/products/{id:guid}"] = Policies.Credit,
        ["PUT /api/v1/credit/products/{id:guid}"] = Policies.Admin,
        ["DELETE /api/v1/credit/products/{id:guid}"] = Policies.Admin,
        ["POST /api/v1/credit/offers"] = Policies.Credit,
        ["GET /api/v1/credit/offers"] = Policies.Credit,
        ["GET /api/v1/credit/offers/{id:guid}"] = Policies.Credit,
        ["POST /api/v1/credit/offers/{id:guid}/accept"] = Policies.MoveMoney,
        ["GET /api/v1/credit/loans"] = Policies.Credit,
        ["GET /api/v1/credit/loans/{id:guid}"] = Policies.Credit,
        ["GET /api/v1/credit/loans/{id:guid}/schedule"] = Policies.Credit,
        ["POST /api/v1/credit/loans/{id:guid}/repayments"] = Policies.MoveMoney,
        ["GET /api/v1/analytics/revenue"] = Policies.Insights,
        ["GET /api/v1/analytics/users"] = Policies.Insights,
        ["GET /api/v1/analytics/transactions"] = Policies.Insights,
        ["POST /api/v1/reconciliations"] = Policies.Insights,
        ["GET /api/v1/bank/statements"] = Policies.Insights,
        ["GET /api/v1/reconciliations/{id:guid}"] = Policies.Insights,
        ["POST /api/v1/reconciliations/{id:guid}/items/{item_id:guid}/resolve"] = Policies.Insights,
        ["POST /api/v1/analytics/reports"] = Policies.Insights,
        ["GET /api/v1/analytics/reports"] = Policies.Insights,
        ["GET /api/v1/analytics/reports/{id:guid}"] = Policies.Insights,
        ["GET /api/v1/analytics/reports/{id:guid}/download"] = Policies.Insights,
        ["GET /api/v1/analytics/export/{format}"] = Policies.Insights,
        ["POST /api/v1/analytics/schedules"] = Policies.Insights,
        ["GET /api/v1/analytics/schedules"] = Policies.Insights,
        ["GET /api/v1/analytics/schedules/{id:guid}"] = Policies.Insights,
        ["DELETE /api/v1/analytics/schedules/{id:guid}"] = Policies.Insights,
        ["POST /api/v1/accounting/periods"] = Policies.Admin,
        ["GET /api/v1/accounting/periods"] = Policies.Admin,
        ["POST /api/v1/accounting/periods/{id:guid}/close"] = Policies.Admin,
        ["POST /api/v1/accounting/periods/{id:guid}/reopen"] = Policies.Admin,
        ["POST /api/v1/psd2/token"] = Anonymous,
        ["POST /api/v1/psd2/tpps"] = Policies.Admin,
        ["GET /api/v1/psd2/tpps"] = Policies.Admin,
        ["DELETE /api/v1/psd2/tpps/{id:guid}"] = Policies.Admin,
        ["POST /api/v1/psd2/consents"] = Policies.Tpp,
        ["GET /api/v1/psd2/consents"] = Policies.Admin,
        ["GET /api/v1/psd2/consents/{id:guid}"] = Policies.TppOrHolder,
        ["GET /api/v1/psd2/consents/{id:guid}/validate"] = Policies.TppOrHolder,
        ["DELETE /api/v1/psd2/consents/{id:guid}"] = Policies.TppOrHolder,
        ["POST /api/v1/psd2/consents/{id:guid}/authorise"] = Policies.MoveMoney,
        ["GET /api/v1/psd2/accounts"] = Policies.Tpp,
        ["GET /api/v1/psd2/accounts/{id:guid}/balances"] = Policies.Tpp,
        ["GET /api/v1/psd2/accounts/{id:guid}/transactions"] = Policies.Tpp,
        ["GET /api/v1/users/me/consents"] = Policies.SignedIn,
        ["DELETE /api/v1/users/me/consents/{id:guid}"] = Policies.SignedIn,
        ["POST /api/v1/gdpr/data-requests"] = Policies.SignedIn,
        ["GET /api/v1/gdpr/data-requests"] = Policies.SignedIn,
        ["GET /api/v1/gdpr/data-requests/{id:guid}"] = Policies.SignedIn,
        ["GET /api/v1/gdpr/data-requests/{id:guid}/export"] = Policies.SignedIn,
        ["POST /api/v1/gdpr/data-requests/{id:guid}/process"] = Policies.Admin,
        ["POST /api/v1/gdpr/data-requests/{id:guid}/reject"] = Policies.Admin,
        // Last: it ends the session it is called with.
        ["POST /api/v1/auth/logout"] = Policies.SignedIn,
    };

    [DbFact]
    public async Task Every_endpoint_declares_the_documented_policy()
    {
        await using var app = await TestApp.StartAsync(kind);
        var declared = DeclaredPolicies(app);
        var missing = Expected.Keys.Except(declared.Keys).ToList();
        var undocumented = declared.Keys.Except(Expected.Keys).ToList();
        Assert.True(missing.Count == 0 && undocumented.Count == 0,
            $"not in the app: {string.Join(", ", missing)}; not in the matrix: {string.Join(", ", undocumented)}");
        foreach (var (route, policy) in Expected)
        {
            Assert.True(declared[route] == policy, $"{route}: declares {declared[route]}, the matrix says {policy}");
        }
    }

    [DbFact]
    public async Task Every_role_is_admitted_or_refused_as_the_matrix_says()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var tokens = new Dictionary<string, string> { [Roles.Admin] = admin.Token };
        foreach (var role in new[] { Roles.Customer, Roles.Viewer, Roles.Analyst })
        {
            tokens[role] = (await api.CreateUserAsync(admin.Token, role)).Token;
        }
        var tpp = await Psd2Tests.RegisterTppAsync(api, admin.Token);
        var cells = 0;
        foreach (var (route, policy) in Expected.Where(e => e.Value != Anonymous))
        {
            var (method, path) = Request(route);
            using (var anonymous = await api.SendAsync(method, path, "{}"))
            {
                Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"{route} without a token: {(int)anonymous.StatusCode}");
            }
            // A TPP's token: taken by the PSD2 endpoints for TPPs; refused (403) by the rest under /psd2, and unknown (401) everywhere else.
            using (var asTpp = await api.SendAsync(method, path, "{}", tpp.Token))
            {
                var expected = policy is Policies.Tpp or Policies.TppOrHolder ? "admitted"
                    : path.StartsWith("/api/v1/psd2/", StringComparison.Ordinal) ? "403" : "401";
                var got = asTpp.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized) && (int)asTpp.StatusCode < 500
                    ? "admitted" : ((int)asTpp.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(expected == got, $"{route} as a TPP: expected {expected}, got {got}: {await asTpp.Content.ReadAsStringAsync()}");
                cells++;
            }
            foreach (var (role, token) in tokens)
            {
                using var response = await api.SendAsync(method, path, "{}", token);
                var body = await response.Content.ReadAsStringAsync();
                if (UserRolesAdmitted(policy).Contains(role))
                {
                    Assert.True(response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized) && (int)response.StatusCode < 500,
                        $"{route} as {role} should be admitted: {(int)response.StatusCode} {body}");
                }
                else
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route} as {role} should be 403: {(int)response.StatusCode} {body}");
                }
                cells++;
            }
        }
        Assert.Equal(Expected.Count(e => e.Value != Anonymous) * 5, cells);
    }

    /// <summary>The roles whose user tokens a policy admits: none for the TPPs' own, the account holders where a TPP's consent is also its customer's.</summary>
    private static string[] UserRolesAdmitted(string policy) => policy switch
    {
        Policies.Tpp => [],
        Policies.TppOrHolder => [Roles.Customer, Roles.Admin],
        _ => Policies.RolesAllowed[policy],
    };

    private static (HttpMethod, string) Request(string route)
    {
        var space = route.IndexOf(' ', StringComparison.Ordinal);
        var path = route[(space + 1)..].Replace("{id:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{accountId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{deliveryId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{item_id:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{user_id:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal).Replace("{entity_type}", "user", StringComparison.Ordinal).Replace("{entity_id:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        return (new HttpMethod(route[..space]), path);
    }

    /// <summary>"METHOD /path" → the policy the endpoint enforces: anonymous, or its most restrictive named policy.</summary>
    private static Dictionary<string, string> DeclaredPolicies(TestApp app)
    {
        var result = new Dictionary<string, string>();
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            if (!pattern.StartsWith("/api/v1/", StringComparison.Ordinal))
            {
                continue;
            }
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [];
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToHashSet();
            var policy = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null && policies.Count == 0 ? Anonymous
                : policies.Count == 0 ? "(none)"
                : policies.MinBy(p => Policies.RolesAllowed.TryGetValue(p, out var roles) ? roles.Length : int.MaxValue)!;
            foreach (var method in methods)
            {
                result[$"{method} {pattern}"] = policy;
            }
        }
        return result;
    }
}

public sealed class AccessMatrixTestsOnSqlite() : AccessMatrixTests(DatabaseKind.Sqlite);

public sealed class AccessMatrixTestsOnPostgres() : AccessMatrixTests(DatabaseKind.Postgres), IPostgresTests;
