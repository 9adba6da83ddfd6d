using Xunit;

namespace Cauchy.Storage.Tests;

public sealed class ObjectKeyTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("datasets/mnist/v1/shard-00001.rec")]
    [InlineData("sha256/ab")]
    [InlineData("a.b/c..d/.hidden")]
    [InlineData("weights/résumé ü.bin")]
    public void Ordinary_relative_keys_are_valid(string key) => ObjectKey.Validate(key);

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/abs", "absolute")]
    [InlineData("C:/x", "absolute")]
    [InlineData("a\\b", "backslash")]
    [InlineData("a//b", "empty path segment")]
    [InlineData("a/", "empty path segment")]
    [InlineData("../x", "'..'")]
    [InlineData("a/./b", "'.'")]
    [InlineData(".tmp/x", "reserved")]
    [InlineData("a\tb", "control character")]
    public void Invalid_keys_name_the_key_and_the_problem(string key, string problem)
    {
        var exception = Assert.Throws<ArgumentException>(() => ObjectKey.Validate(key));

        Assert.Contains($"'{key}'", exception.Message);
        Assert.Contains(problem, exception.Message);
    }

    [Fact]
    public void Overlong_keys_are_rejected() =>
        Assert.Throws<ArgumentException>(() => ObjectKey.Validate(new string('k', ObjectKey.MaxLength + 1)));

    [Theory]
    [InlineData("")]
    [InlineData("a/")]
    [InlineData("a/b")]
    [InlineData("sha256/")]
    public void Listing_prefixes_may_be_empty_or_end_in_a_slash(string prefix) => ObjectKey.ValidatePrefix(prefix);

    [Theory]
    [InlineData("../")]
    [InlineData("/a")]
    [InlineData("a//")]
    [InlineData(".tmp/")]
    public void Listing_prefixes_follow_the_key_rules(string prefix) =>
        Assert.Throws<ArgumentException>(() => ObjectKey.ValidatePrefix(prefix));

    [Fact]
    public void Content_addressed_keys_carry_their_hash()
    {
        var hex = new string('a', 32) + new string('0', 32);

        Assert.Equal("sha256/" + hex, ObjectKey.ForSha256(hex));
        Assert.Equal(hex, ObjectKey.Sha256Of("sha256/" + hex));
        Assert.Null(ObjectKey.Sha256Of("sha256/" + hex.ToUpperInvariant()));
        Assert.Null(ObjectKey.Sha256Of("sha256/abc"));
        Assert.Null(ObjectKey.Sha256Of("other/" + hex));
    }
}
