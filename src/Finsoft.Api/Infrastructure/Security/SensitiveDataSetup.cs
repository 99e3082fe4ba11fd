using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Security;

public static class SensitiveDataSetup
{
    public static IServiceCollection AddFinsoftDataProtection(this IServiceCollection services, FinsoftOptions options)
    {
        var builder = services.AddDataProtection().SetApplicationName("Finsoft");
        if (!string.IsNullOrWhiteSpace(options.DataProtection.KeyDirectory))
        {
            builder.PersistKeysToFileSystem(new DirectoryInfo(options.DataProtection.KeyDirectory));
        }
        else
        {
            services.AddOptions<KeyManagementOptions>().Configure<IServiceScopeFactory>((keys, scopes) =>
                keys.XmlRepository = new DatabaseKeyRepository(scopes));
        }
        services.AddSingleton<SensitiveData>();
        services.AddSingleton<PersonalData>();
        return services;
    }

    /// <summary>
    /// Loads the hash key, then encrypts whatever an older version stored plain (destination account
    /// numbers before schema 0004; <see cref="PersonalDataSealing"/> then seals them under their owner's key).
    /// Runs at every start; after the first it finds nothing to do.
    /// </summary>
    public static async Task PrepareSensitiveDataAsync(this IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var sensitive = scope.ServiceProvider.GetRequiredService<SensitiveData>();
        await sensitive.InitialiseAsync(db, ct);
        while (true)
        {
            // Erasure clears the hash of a sealed number (pd1:) or of one shredded before 0028 could seal it ("[erased]"): not plain.
            var plain = await db.DestinationAccounts.Where(d => d.AccountNumberHash == null && !d.AccountNumber.StartsWith("pd1:")
                && d.AccountNumber != PersonalData.Erased).Take(500).ToListAsync(ct);
            if (plain.Count == 0)
            {
                return;
            }
            foreach (var row in plain)
            {
                row.AccountNumberHash = sensitive.Hash(SensitiveKinds.Clabe, row.AccountNumber);
                row.AccountNumber = sensitive.Protect(row.AccountNumber);
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
    }
}

public static class SensitiveKinds
{
    public const string Clabe = "clabe";
    public const string Cuit = "cuit";
    public const string Email = "email";
    public const string NameWord = "name-word";
}
