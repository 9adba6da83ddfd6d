using Cauchy.Domain;
using Xunit;

namespace Cauchy.Data.Tests;

public sealed class NamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("fashion-mnist")]
    [InlineData("cifar10-small-cnn")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    public void Dns_labels_are_names(string value) => Assert.True(Names.IsValid(value));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("Upper")]
    [InlineData("1starts-with-a-digit")]
    [InlineData("ends-with-")]
    [InlineData("under_score")]
    [InlineData("has space")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Other_strings_are_refused(string? value) => Assert.False(Names.IsValid(value));

    [Theory]
    [InlineData("mnist\n")]
    [InlineData("mnist\r\n")]
    [InlineData("\nmnist")]
    public void A_name_with_a_newline_before_or_after_it_is_refused(string value) => Assert.False(Names.IsValid(value));
}
