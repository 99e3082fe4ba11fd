using System.Xml.Linq;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Security;

/// <summary>
/// Keeps ASP.NET Core Data Protection's key ring in the database, so every API node encrypts and
/// decrypts with the same keys. (Set Finsoft:DataProtection:KeyDirectory to keep them on disk instead.)
/// </summary>
public sealed class DatabaseKeyRepository(IServiceScopeFactory scopes) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        return db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToList().Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        db.DataProtectionKeys.Add(new DataProtectionKeyRow { Name = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
