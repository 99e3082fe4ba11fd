using System.Reflection;
using Finsoft.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Finsoft.Api.AdminConsole;

/// <summary>
/// The admin console at <c>/console</c> (ADR 0014): Razor Pages rendered by this process, signed in with a cookie of its
/// own that carries the same claims as an access token and stands on the same session, so logout, deactivation and
/// erasure end it as they end tokens. Pages call the API's handlers; nothing is loaded from anywhere else.
/// </summary>
public static class ConsoleSetup
{
    public const string Scheme = "finsoft-console";
    public const string PathBase = "/console";

    /// <summary>Carries a form's notice across its redirect (TempData).</summary>
    public const string NoticeCookie = "finsoft-console-notice";

    /// <summary>Who may open which pages: staff read, analysts also work reviews and reports, admins do everything.</summary>
    public static class Policies
    {
        public const string Staff = "console-staff";
        public const string Insights = "console-insights";
        public const string Admin = "console-admin";
    }

    public static IServiceCollection AddFinsoftConsole(this IServiceCollection services, TimeSpan idleTimeout)
    {
        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/AdminConsole/Pages";
            pages.Conventions.AuthorizeFolder("/", Policies.Staff);
            pages.Conventions.AllowAnonymousToPage("/Login");
            // Guessing passwords through the console meets the API's sign-in limit per client address.
            pages.Conventions.AddPageApplicationModelConvention("/Login",
                page => page.EndpointMetadata.Add(new Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute(Infrastructure.Http.RateLimits.SignIn)));
            // A watch list is tens of megabytes, as at POST /aml/watchlists.
            pages.Conventions.AddPageApplicationModelConvention("/Watchlists",
                page => page.EndpointMetadata.Add(new Infrastructure.Http.LargeBody(Features.Aml.Watchlists.MaxFileBytes)));
        });
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "finsoft-console-csrf";
            antiforgery.Cookie.Path = PathBase;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            antiforgery.FormFieldName = "__csrf";
        });
        // What a form's success said crosses its redirect (post/redirect/get) in a cookie of the console's own, protected by Data Protection.
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(tempData =>
        {
            tempData.Cookie.Name = NoticeCookie;
            tempData.Cookie.Path = PathBase;
            tempData.Cookie.HttpOnly = true;
            tempData.Cookie.SameSite = SameSiteMode.Strict;
            tempData.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddAuthentication().AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = "finsoft-console";
            cookie.Cookie.Path = PathBase;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure whenever the console is reached over HTTPS
            cookie.ExpireTimeSpan = idleTimeout;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = PathBase + "/login";
            cookie.LogoutPath = PathBase + "/logout";
            cookie.AccessDeniedPath = PathBase + "/denied";
            cookie.ReturnUrlParameter = "return";
            cookie.Events.OnValidatePrincipal = RejectEndedSessionAsync;
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Staff, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
                .RequireClaim(TokenClaims.Role, Roles.Viewer, Roles.Analyst, Roles.Admin))
            .AddPolicy(Policies.Insights, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
                .RequireClaim(TokenClaims.Role, Roles.Analyst, Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
                .RequireClaim(TokenClaims.Role, Roles.Admin));
        return services;
    }

    /// <summary>
    /// Early in the pipeline, for console paths: the security headers on every answer (redirects and 429s included), and the
    /// cookie's user as the request's, so the per-user rate limit and the log scope know who is calling, as for a token.
    /// </summary>
    public static WebApplication UseFinsoftConsole(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(PathBase), console => console.Use(async (context, next) =>
        {
            // Nothing runs but the console's own script and styles; no page may be framed.
            context.Response.Headers.ContentSecurityPolicy =
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; " +
                "base-uri 'none'; frame-ancestors 'none'";
            context.Response.Headers.XFrameOptions = "DENY";
            if (await context.AuthenticateAsync(Scheme) is { Succeeded: true, Principal: { } principal })
            {
                context.User = principal;
            }
            await next(context);
        }));
        return app;
    }

    public static WebApplication MapFinsoftConsole(this WebApplication app)
    {
        app.MapGet(PathBase + "/assets/{name}", ServeAsset).AllowAnonymous().ExcludeFromDescription();
        app.MapRazorPages();
        return app;
    }

    /// <summary>The console's stylesheet and script, shipped inside the assembly so the console works wherever the service runs.</summary>
    private static IResult ServeAsset(string name)
    {
        var contentType = Path.GetExtension(name) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            _ => null,
        };
        var stream = contentType is null ? null : Assembly.GetExecutingAssembly().GetManifestResourceStream($"Finsoft.Api.AdminConsole.Assets.{name}");
        return stream is null ? Results.NotFound() : Results.Stream(stream, contentType);
    }

    /// <summary>The cookie is only as alive as its session and its user, as a token is: checked on every request.</summary>
    private static async Task RejectEndedSessionAsync(CookieValidatePrincipalContext context)
    {
        var user = context.Principal is { } principal ? CurrentUser.TryFrom(principal) : null;
        var gate = context.HttpContext.RequestServices.GetRequiredService<SessionGate>();
        if (user is null || !await gate.IsAliveAsync(user, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }
}
