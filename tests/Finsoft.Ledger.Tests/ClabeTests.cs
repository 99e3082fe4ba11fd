namespace Finsoft.Ledger.Tests;

public class ClabeTests
{
    [Theory]
    [InlineData("002010077777777771", "002", "Banamex")]
    [InlineData("012180001234567899", "012", "BBVA Bancomer")]
    [InlineData("646180157000000004", "646", "STP")]
    public void Valid_clabes_name_their_bank(string text, string code, string name)
    {
        var clabe = Clabe.Parse(text);
        Assert.True(clabe.IsSuccess, clabe.Error?.Message);
        Assert.Equal(code, clabe.Value.Bank.Code);
        Assert.Equal(name, clabe.Value.Bank.Name);
    }

    [Theory]
    [InlineData("002010077777777772")] // wrong check digit
    [InlineData("00201007777777777")] // 17 digits
    [InlineData("0020100777777777711")] // 19 digits
    [InlineData("00201007777777777a")]
    [InlineData("999180001234567890")] // no such bank
    [InlineData("")]
    [InlineData(null)]
    public void Invalid_clabes_are_refused(string? text) => Assert.False(Clabe.Parse(text).IsSuccess);

    [Fact]
    public void Every_single_digit_error_is_caught_by_the_check_digit()
    {
        var random = new Random(3713);
        for (var i = 0; i < 2_000; i++)
        {
            var clabe = Clabe.Create("072", random.Next(0, 1000).ToString("D3"), random.NextInt64(0, 100_000_000_000).ToString("D11")).Value;
            var position = random.Next(3, 17); // keep the bank code, so only the check digit can object
            var changed = (char)('0' + (clabe[position] - '0' + random.Next(1, 10)) % 10);
            var typo = clabe[..position] + changed + clabe[(position + 1)..];
            Assert.False(Clabe.Parse(typo).IsSuccess, $"{clabe} → {typo}");
        }
    }
}
