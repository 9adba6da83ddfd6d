using Cauchy.Grpc.Tests.Server.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Cauchy.Grpc.Tests.Server;

public sealed class ExceptionTests
{
    [Fact]
    public async Task Handler_exception_is_unknown_without_details_and_logged_once_as_an_error_with_the_method()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Unary = (_, _) => throw new InvalidOperationException("secret connection string");

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"));

        Assert.Equal(StatusCode.Unknown, result.Status);
        Assert.Equal("Exception was thrown by handler.", result.Message);
        var errors = host.Logs.Entries.Where(e => e.Level >= LogLevel.Warning).ToArray();
        var error = Assert.Single(errors);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("/cauchy.test.Tests/Unary", error.Message);
        Assert.IsType<InvalidOperationException>(error.Exception);
    }

    [Fact]
    public async Task Detailed_errors_put_the_exception_in_the_status_message()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions { Grpc = options => options.EnableDetailedErrors = true });
        host.Script.ServerStream = async (_, stream, _) =>
        {
            await stream.WriteAsync("one");
            throw new ArgumentException("bad shard index");
        };

        var result = await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("x"));

        Assert.Equal(["one"], result.Texts);
        Assert.Equal(StatusCode.Unknown, result.Status);
        Assert.Equal("Exception was thrown by handler. ArgumentException: bad shard index", result.Message);
    }

    [Fact]
    public async Task Synchronous_throw_from_a_non_async_handler_is_handled_the_same_way()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Duplex = (_, _, _) => throw new NotSupportedException("sync");

        var result = await host.CallAsync("/cauchy.test.Tests/Duplex", []);

        Assert.Equal(StatusCode.Unknown, result.Status);
        Assert.Contains("disposed", host.Script.RecordedEvents());
        Assert.Single(host.Logs.Entries, e => e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task Rpc_exception_is_logged_once_at_information_not_as_an_error()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Unary = (_, _) => throw new RpcException(new Status(StatusCode.InvalidArgument, "Field 'name' is required."));

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"));

        Assert.Equal(StatusCode.InvalidArgument, result.Status);
        Assert.Equal("Field 'name' is required.", result.Message);
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Single(host.Logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("InvalidArgument"));
    }

    [Fact]
    public async Task Client_mistakes_are_logged_once_at_information()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions { Grpc = options => options.MaxReceiveMessageSize = 10 });

        await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("far too long for the limit"));
        await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x")[..4]);

        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Warning);
        var information = host.Logs.Entries.Where(e => e.Level == LogLevel.Information).ToArray();
        Assert.Equal(2, information.Length);
        Assert.Contains(information, e => e.Message.Contains("ResourceExhausted"));
        Assert.Contains(information, e => e.Message.Contains("Incomplete message"));
    }

    [Fact]
    public async Task Operation_canceled_after_the_deadline_is_not_an_error()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Unary = async (_, context) =>
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return "never";
        };

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"), request => request.Headers.Add("grpc-timeout", "50m"));
        await CancellationTests.WaitForAsync(() => host.Script.RecordedEvents().Contains("disposed"));

        Assert.Equal(StatusCode.DeadlineExceeded, result.Status);
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Server_keeps_serving_after_handler_failures()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var calls = 0;
        host.Script.Unary = (request, _) => Interlocked.Increment(ref calls) % 2 == 1
            ? throw new InvalidOperationException("odd call")
            : Task.FromResult("even call");

        var results = new List<GrpcResult>();
        for (var i = 0; i < 6; i++)
        {
            results.Add(await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x")));
        }

        Assert.Equal(
            [StatusCode.Unknown, StatusCode.OK, StatusCode.Unknown, StatusCode.OK, StatusCode.Unknown, StatusCode.OK],
            results.Select(result => result.Status));
    }
}
