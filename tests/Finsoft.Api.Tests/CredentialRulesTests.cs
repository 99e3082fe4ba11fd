using System.Text;
using Finsoft.Api.Features.Identity;
using Finsoft.Api.Infrastructure.Auth;

namespace Finsoft.Api.Tests;

/// <summary>TOTP against RFC 6238's published vectors, and the password policy's judgement of common passwords.</summary>
public sealed class CredentialRulesTests
{
    // RFC 6238 appendix B, SHA-1 secret "12345678901234567890": the 8-digit values' last six digits.
    [Theory]
    [InlineData(59, "287082")]
    [InlineData(1111111109, "081804")]
    [InlineData(1111111111, "050471")]
    [InlineData(1234567890, "005924")]
    [InlineData(2000000000, "279037")]
    [InlineData(20000000000, "353130")]
    public void Totp_matches_the_rfc_vectors(long unixSeconds, string code)
    {
        var secret = Encoding.ASCII.GetBytes("12345678901234567890");
        Assert.Equal(code, Totp.CodeAt(secret, unixSeconds / 30));
        var now = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
        Assert.Equal(unixSeconds / 30, Totp.MatchStep(secret, code, now));
        Assert.Equal(unixSeconds / 30, Totp.MatchStep(secret, code, now.AddSeconds(30))); // one step of drift
        Assert.Null(Totp.MatchStep(secret, code, now.AddSeconds(90)));
    }

    [Fact]
    public void Base32_round_trips_and_refuses_other_text()
    {
        for (var length = 0; length < 40; length++)
        {
            var bytes = Enumerable.Range(0, length).Select(i => (byte)(i * 37 + length)).ToArray();
            Assert.Equal(bytes, Totp.FromBase32(Totp.ToBase32(bytes)));
        }
        Assert.Equal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Totp.ToBase32(Encoding.ASCII.GetBytes("12345678901234567890")));
        Assert.Throws<FormatException>(() => Totp.FromBase32("not base32!"));
    }

    [Theory]
    [InlineData("Password1234!")]
    [InlineData("p@ssw0rd2024!!")]
    [InlineData("qwertyuiop123")]
    [InlineData("ILOVEYOU2025#")]
    [InlineData("letmeinletmein")]
    [InlineData("123456789012")]
    [InlineData("987654321098")]
    [InlineData("zzzzzzzzzzzzzz")]
    [InlineData("abababababab")]
    [InlineData("!!Football99!!")]
    public void Common_passwords_in_disguise_are_recognised(string password) => Assert.True(CommonPasswords.Contains(password));

    [Theory]
    [InlineData("correct-horse-battery")]
    [InlineData("a-much-better-phrase-7")]
    [InlineData("Tq8#vLm2!rWz")]
    [InlineData("sunshine on the river bank")]
    public void Uncommon_passwords_pass(string password) => Assert.False(CommonPasswords.Contains(password));
}
