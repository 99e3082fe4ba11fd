using Finsoft.Api.Features.Users;

namespace Finsoft.Api.Tests;

public sealed class CuitTests
{
    [Theory]
    [InlineData("20-12345678-6", "20123456786")]
    [InlineData("20123456786", "20123456786")]
    [InlineData("30-50001091-2", "30500010912")]
    [InlineData(" 27-28765431-1 ", "27287654311")]
    public void Valid_cuits_parse_to_eleven_digits(string text, string digits)
    {
        Assert.True(Cuit.TryParse(text, out var cuit, out _));
        Assert.Equal(digits, cuit!.Digits);
        Assert.Equal($"{digits[..2]}-{digits[2..10]}-{digits[10]}", cuit.Formatted);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2012345678")]
    [InlineData("201234567860")]
    [InlineData("20-1234567-86")]
    [InlineData("2O123456786")]
    [InlineData("10123456786")] // no such type
    [InlineData("27287654329")] // these ten digits give 10: no valid check digit exists
    public void Malformed_cuits_are_refused(string? text) => Assert.False(Cuit.TryParse(text, out _, out _));

    [Fact]
    public void Every_wrong_check_digit_is_caught()
    {
        foreach (var first10 in new[] { "2012345678", "3050001091", "2728765431", "2340506070" })
        {
            var check = Cuit.CheckDigit(first10);
            for (var digit = 0; digit <= 9; digit++)
            {
                Assert.Equal(check == digit, Cuit.TryParse(first10 + digit, out _, out _));
            }
        }
    }

    [Theory]
    [InlineData("+5491123456789", "+5491123456789")]
    [InlineData("+52 (55) 1234-5678", "+525512345678")]
    [InlineData("+1.415.555.0100", "+14155550100")]
    public void E164_phone_numbers_are_normalised(string text, string expected)
    {
        Assert.True(PhoneNumber.TryNormalize(text, out var phone, out _));
        Assert.Equal(expected, phone);
    }

    [Theory]
    [InlineData("5491123456789")] // no '+'
    [InlineData("+0491123456789")] // country code cannot start with 0
    [InlineData("+1234567")] // too short
    [InlineData("+1234567890123456")] // 16 digits
    [InlineData("+54911234567ab")]
    [InlineData(null)]
    public void Other_phone_numbers_are_refused(string? text) => Assert.False(PhoneNumber.TryNormalize(text, out _, out _));
}
