using Finsoft.Api.Features.Aml;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Identity;

/// <summary>Creates the configured admin at start-up when the database has no admin yet.</summary>
public static class BootstrapAdmin
{
    public static async Task EnsureAsync(IServiceProvider services, FinsoftOptions options, CancellationToken ct)
    {
        var bootstrap = options.Bootstrap;
        if (string.IsNullOrWhiteSpace(bootstrap.AdminEmail) || string.IsNullOrEmpty(bootstrap.AdminPassword))
        {
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        if (await db.Users.AnyAsync(u => u.Role == Roles.Admin, ct))
        {
            return;
        }
        var validation = Passwords.CheckPassword(Passwords.CheckEmail(new(), bootstrap.AdminEmail), bootstrap.AdminPassword, bootstrap.AdminEmail);
        if (!validation.IsValid)
        {
            throw new StartupException($"Finsoft:Bootstrap admin credentials are not acceptable (email must be valid; password {Passwords.MinLength}+ characters, not a common password, not containing the email).");
        }
        var created = await Register.CreateAsync(db, scope.ServiceProvider.GetRequiredService<Passwords>(),
            scope.ServiceProvider.GetRequiredService<Infrastructure.Security.PersonalData>(), scope.ServiceProvider.GetRequiredService<Screener>(),
            scope.ServiceProvider.GetRequiredService<TimeProvider>(), bootstrap.AdminFullName, bootstrap.AdminEmail, bootstrap.AdminPassword, Roles.Admin, ct);
        if (created is null)
        {
            // Never promote an existing account: whoever registered that email first is not necessarily the operator.
            throw new StartupException("Finsoft:Bootstrap:AdminEmail belongs to an existing non-admin user; choose another email.");
        }
    }
}
