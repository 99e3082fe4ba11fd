using System.Security.Cryptography;

namespace Finsoft.Api.Infrastructure.Security;

/// <summary>The keys Development makes for itself when none is configured: 48 random bytes, kept (owner-only) in the data directory.</summary>
public static class DevelopmentSecrets
{
    /// <summary>The key in <paramref name="fileName"/> under the data directory, in base64, made the first time it is asked for.</summary>
    public static string ReadOrCreate(string dataDirectory, string fileName)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, fileName);
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        return File.ReadAllText(path).Trim();
    }
}
