using System.Net;
using Cauchy.Grpc.Tests.Server.Infrastructure;
using Grpc.Core;
using Xunit;

namespace Cauchy.Grpc.Tests.Server;

public sealed class RequestValidationTests
{
    [Fact]
    public async Task Non_post_request_is_415_with_grpc_status_internal()
    {
        await using var host = await GrpcTestHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Address("/cauchy.test.Tests/Unary"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("13", response.Headers.GetValues("grpc-status").Single());
        Assert.Contains("POST", response.Headers.GetValues("grpc-message").Single());
        Assert.Empty(host.Script.RecordedEvents());
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/grpc-web")]
    public async Task Non_grpc_content_type_is_415_with_grpc_status_internal(string contentType)
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"),
            request => request.Content!.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType));

        Assert.Equal(415, result.HttpStatus);
        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Contains(contentType, result.Message);
    }

    [Theory]
    [InlineData("application/grpc+proto")]
    [InlineData("application/grpc+json")]
    [InlineData("application/grpc; charset=utf-8")]
    public async Task Grpc_content_type_variants_are_accepted(string contentType)
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"),
            request => request.Content!.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType));

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(["echo:x"], result.Texts);
    }

    [Fact]
    public async Task Http1_request_is_426_upgrade_required_with_a_clear_message()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions { Http1Endpoint = true });
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Address("/cauchy.test.Tests/Unary", host.Http1Port))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = GrpcTestHost.Body(GrpcFrames.Frame("x")),
        };

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal("13", response.Headers.GetValues("grpc-status").Single());
        Assert.Contains("HTTP/2", response.Headers.GetValues("grpc-message").Single());
        Assert.Empty(host.Script.RecordedEvents());
    }

    [Fact]
    public async Task Unknown_method_of_a_mapped_service_is_unimplemented_trailers_only()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/cauchy.test.Tests/NoSuchMethod", GrpcFrames.Frame("x"));

        Assert.Equal(200, result.HttpStatus);
        Assert.True(result.IsTrailersOnly);
        Assert.Equal(StatusCode.Unimplemented, result.Status);
        Assert.Equal("Method is unimplemented.", result.Message);
    }

    [Fact]
    public async Task Unknown_service_is_unimplemented()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/no.such.Service/Call", GrpcFrames.Frame("x"));

        Assert.True(result.IsTrailersOnly);
        Assert.Equal(StatusCode.Unimplemented, result.Status);
        Assert.Equal("Service is unimplemented.", result.Message);
        Assert.Contains(host.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Information && e.Message.Contains("/no.such.Service/Call"));
    }

    [Fact]
    public async Task Ignore_unknown_services_lets_unknown_services_fall_through_but_not_unknown_methods()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions { Grpc = options => options.IgnoreUnknownServices = true });

        var unknownService = await host.CallAsync("/no.such.Service/Call", GrpcFrames.Frame("x"));
        var unknownMethod = await host.CallAsync("/cauchy.test.Tests/NoSuchMethod", GrpcFrames.Frame("x"));

        Assert.Equal(404, unknownService.HttpStatus);
        Assert.Null(unknownService.Get("grpc-status"));
        Assert.Equal(StatusCode.Unimplemented, unknownMethod.Status);
    }

    [Fact]
    public async Task Non_grpc_requests_to_unknown_paths_are_left_to_the_rest_of_the_app()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/some/page", GrpcFrames.Frame("x"),
            request => request.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json"));

        Assert.Equal(404, result.HttpStatus);
        Assert.Null(result.Get("grpc-status"));
    }

    [Fact]
    public async Task Server_keeps_serving_after_rejected_and_malformed_requests()
    {
        await using var host = await GrpcTestHost.StartAsync();

        await host.CallAsync("/cauchy.test.Tests/Unary", [9, 9]);
        await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"u8.ToArray(), compressedFlag: 7));
        await host.CallAsync("/cauchy.test.Tests/Nope", GrpcFrames.Frame("x"));
        var ok = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("still here"));

        Assert.Equal(StatusCode.OK, ok.Status);
        Assert.Equal(["echo:still here"], ok.Texts);
    }
}
