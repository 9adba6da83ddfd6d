using Cauchy.Domain;
using Xunit;

namespace Cauchy.Data.Tests;

public sealed class PageTokenTests
{
    [Fact]
    public void A_token_carries_its_position_back_for_the_same_filters()
    {
        var token = PageToken.Encode("task=1;owner=ana", "2026-01-01", "model/7");

        Assert.Equal(["2026-01-01", "model/7"], PageToken.Decode(token, "task=1;owner=ana", 2)!);
    }

    [Fact]
    public void A_token_is_url_safe_and_does_not_show_the_position_in_plain_text()
    {
        var token = PageToken.Encode("filters", "a/b+c?", "\n");

        Assert.DoesNotContain("a/b+c?", token);
        Assert.Matches("^[A-Za-z0-9_-]+\\z", token);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void No_token_is_the_first_page(string? token) => Assert.Null(PageToken.Decode(token, "filters", 1));

    [Theory]
    [InlineData("garbage!")]
    [InlineData("%%%")]
    [InlineData("bm90IGpzb24")]
    public void A_token_that_was_not_issued_is_invalid_argument_naming_the_field(string token)
    {
        var error = Assert.Throws<DomainException>(() => PageToken.Decode(token, "filters", 1));

        Assert.Equal(DomainErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("page_token", error.Field);
        Assert.StartsWith("page_token: ", error.Message);
    }

    [Fact]
    public void A_token_with_another_number_of_position_parts_is_refused()
    {
        var token = PageToken.Encode("filters", "only-one");

        Assert.Equal("page_token", Assert.Throws<DomainException>(() => PageToken.Decode(token, "filters", 2)).Field);
    }

    [Fact]
    public void A_token_sent_with_other_filters_is_refused_naming_the_given_field()
    {
        var token = PageToken.Encode("dataset=a", "10");

        var error = Assert.Throws<DomainException>(() => PageToken.Decode(token, "dataset=b", 1, "request.page_token"));

        Assert.Equal(DomainErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("request.page_token", error.Field);
        Assert.Contains("other fields", error.Message);
    }

    [Theory]
    [InlineData(0, 50)]
    [InlineData(7, 7)]
    [InlineData(1000, 1000)]
    [InlineData(1001, 1000)]
    [InlineData(int.MaxValue, 1000)]
    public void Page_size_defaults_to_50_and_is_clamped_at_1000(int requested, int expected) =>
        Assert.Equal(expected, PageToken.Size(requested));

    [Fact]
    public void A_negative_page_size_is_invalid_argument_naming_the_field()
    {
        var error = Assert.Throws<DomainException>(() => PageToken.Size(-1));

        Assert.Equal(DomainErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("page_size", error.Field);
    }
}
