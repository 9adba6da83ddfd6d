using Cauchy.Grpc.Tests.Standard.Support;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Reflection;
using Grpc.Reflection.V1;
using Xunit;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Cauchy.Grpc.Tests.Standard.Reflection;

public sealed class ServerReflectionTests
{
    private const string ProbeFile = "cauchy/probe/v1/probe.proto";
    private const string ProbeTypesFile = "cauchy/probe/v1/probe_types.proto";

    private static readonly ServiceDescriptor[] Services =
    [
        Cauchy.Probe.V1.Probe.Descriptor,
        global::Grpc.Health.V1.Health.Descriptor,
        ServerReflection.Descriptor,
        V1Alpha.ServerReflection.Descriptor,
    ];

    [Fact]
    public async Task ListServices_NamesEveryServiceOnce()
    {
        var reflection = new ReflectionV1ServiceImpl(Services.Append(Cauchy.Probe.V1.Probe.Descriptor));

        var response = await AskOne(reflection, new ServerReflectionRequest { ListServices = "*" });

        Assert.Equal(ServerReflectionResponse.MessageResponseOneofCase.ListServicesResponse, response.MessageResponseCase);
        Assert.Equal(
            ["cauchy.probe.v1.Probe", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"],
            response.ListServicesResponse.Service.Select(service => service.Name));
    }

    [Fact]
    public async Task FileByFilename_ReturnsTheFileFirstThenEveryTransitiveDependencyOnce()
    {
        var response = await AskOne(new ReflectionV1ServiceImpl(Services), new ServerReflectionRequest { FileByFilename = ProbeFile });

        var names = FileNames(response);
        Assert.Equal(ProbeFile, names[0]);
        Assert.Equal(
            [ProbeFile, ProbeTypesFile, "google/protobuf/descriptor.proto", "google/protobuf/duration.proto", "google/protobuf/timestamp.proto"],
            names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task FileByFilename_DescriptorsAreCompleteEnoughToRebuildTheService()
    {
        var response = await AskOne(new ReflectionV1ServiceImpl(Services), new ServerReflectionRequest { FileByFilename = ProbeFile });

        // What a generic client does: rebuild the files from the bytes alone, dependencies first.
        var protos = response.FileDescriptorResponse.FileDescriptorProto.Select(FileDescriptorProto.Parser.ParseFrom).ToList();
        var files = FileDescriptor.BuildFromByteStrings(DescriptorOrder.DependenciesFirst(protos).Select(proto => proto.ToByteString()));
        var probe = files.Single(file => file.Name == ProbeFile).Services.Single();
        var describe = probe.FindMethodByName("Describe");
        Assert.Equal("cauchy.probe.v1.Probe", probe.FullName);
        Assert.Equal("cauchy.probe.v1.DescribeRequest", describe.InputType.FullName);
        Assert.Equal("google.protobuf.Timestamp", describe.OutputType.FindFieldByName("stamp").MessageType.FindFieldByName("at").MessageType.FullName);
    }

    [Theory]
    [InlineData("cauchy.probe.v1.Probe", ProbeFile)]
    [InlineData("cauchy.probe.v1.Probe.Describe", ProbeFile)]
    [InlineData("cauchy.probe.v1.DescribeRequest", ProbeFile)]
    [InlineData("cauchy.probe.v1.DescribeRequest.Options", ProbeFile)]
    [InlineData("cauchy.probe.v1.DescribeRequest.Options.Style", ProbeFile)]
    [InlineData("cauchy.probe.v1.DescribeRequest.Options.STYLE_SHOUT", ProbeFile)]
    [InlineData("cauchy.probe.v1.DescribeRequest.name", ProbeFile)]
    [InlineData("cauchy.probe.v1.DescribeRequest.subject", ProbeFile)]
    [InlineData("cauchy.probe.v1.Mood", ProbeTypesFile)]
    [InlineData("cauchy.probe.v1.MOOD_CALM", ProbeTypesFile)]
    [InlineData("cauchy.probe.v1.Stamp", ProbeTypesFile)]
    [InlineData("cauchy.probe.v1.probe_note", ProbeTypesFile)]
    [InlineData("google.protobuf.Timestamp", "google/protobuf/timestamp.proto")]
    [InlineData(".google.protobuf.Duration", "google/protobuf/duration.proto")]
    [InlineData("grpc.health.v1.Health.Watch", "grpc/health/v1/health.proto")]
    [InlineData("grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto")]
    [InlineData("grpc.reflection.v1.ServerReflection", "grpc/reflection/v1/reflection.proto")]
    [InlineData("grpc.reflection.v1alpha.ServerReflectionRequest", "grpc/reflection/v1alpha/reflection.proto")]
    public async Task FileContainingSymbol_FindsTheDeclaringFileFirst(string symbol, string expectedFile)
    {
        var response = await AskOne(new ReflectionV1ServiceImpl(Services), new ServerReflectionRequest { FileContainingSymbol = symbol });

        Assert.Equal(ServerReflectionResponse.MessageResponseOneofCase.FileDescriptorResponse, response.MessageResponseCase);
        Assert.Equal(expectedFile, FileNames(response)[0]);
    }

    [Fact]
    public async Task FileContainingSymbol_IncludesTheImportsOfTheDeclaringFile()
    {
        var response = await AskOne(new ReflectionV1ServiceImpl(Services), new ServerReflectionRequest { FileContainingSymbol = "cauchy.probe.v1.Stamp" });

        Assert.Equal(
            [ProbeTypesFile, "google/protobuf/descriptor.proto", "google/protobuf/timestamp.proto"],
            FileNames(response));
    }

    [Theory]
    [InlineData("cauchy.probe.v1.Nope")]
    [InlineData("cauchy.probe.v1.Probe.Nope")]
    [InlineData("cauchy.probe")]
    [InlineData("")]
    public async Task UnknownSymbol_AnswersNotFoundAndTheStreamGoesOn(string symbol)
    {
        var responses = await Ask(
            new ReflectionV1ServiceImpl(Services),
            new ServerReflectionRequest { FileContainingSymbol = symbol },
            new ServerReflectionRequest { ListServices = "" });

        Assert.Equal(2, responses.Count);
        Assert.Equal((int)StatusCode.NotFound, responses[0].ErrorResponse.ErrorCode);
        Assert.Contains($"'{symbol}'", responses[0].ErrorResponse.ErrorMessage);
        Assert.Equal(4, responses[1].ListServicesResponse.Service.Count);
    }

    [Fact]
    public async Task UnknownFile_AnswersNotFoundAndTheStreamGoesOn()
    {
        var responses = await Ask(
            new ReflectionV1ServiceImpl(Services),
            new ServerReflectionRequest { FileByFilename = "cauchy/probe/v1/missing.proto" },
            new ServerReflectionRequest { FileByFilename = ProbeTypesFile });

        Assert.Equal((int)StatusCode.NotFound, responses[0].ErrorResponse.ErrorCode);
        Assert.Contains("cauchy/probe/v1/missing.proto", responses[0].ErrorResponse.ErrorMessage);
        Assert.Equal(ProbeTypesFile, FileNames(responses[1])[0]);
    }

    [Fact]
    public async Task FileContainingExtension_FindsTheFileThatDeclaresIt()
    {
        var responses = await Ask(
            new ReflectionV1ServiceImpl(Services),
            new ServerReflectionRequest { FileContainingExtension = new ExtensionRequest { ContainingType = "google.protobuf.FieldOptions", ExtensionNumber = 51234 } },
            new ServerReflectionRequest { FileContainingExtension = new ExtensionRequest { ContainingType = "google.protobuf.FieldOptions", ExtensionNumber = 51235 } });

        Assert.Equal(ProbeTypesFile, FileNames(responses[0])[0]);
        Assert.Equal((int)StatusCode.NotFound, responses[1].ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task AllExtensionNumbersOfType_ListsKnownExtensions_EmptyForNone_NotFoundForUnknownTypes()
    {
        var responses = await Ask(
            new ReflectionV1ServiceImpl(Services),
            new ServerReflectionRequest { AllExtensionNumbersOfType = "google.protobuf.FieldOptions" },
            new ServerReflectionRequest { AllExtensionNumbersOfType = "cauchy.probe.v1.Stamp" },
            new ServerReflectionRequest { AllExtensionNumbersOfType = "cauchy.probe.v1.Nope" });

        Assert.Equal("google.protobuf.FieldOptions", responses[0].AllExtensionNumbersResponse.BaseTypeName);
        Assert.Equal([51234], responses[0].AllExtensionNumbersResponse.ExtensionNumber);
        Assert.Equal("cauchy.probe.v1.Stamp", responses[1].AllExtensionNumbersResponse.BaseTypeName);
        Assert.Empty(responses[1].AllExtensionNumbersResponse.ExtensionNumber);
        Assert.Equal((int)StatusCode.NotFound, responses[2].ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task RequestWithNothingSet_AnswersUnimplemented()
    {
        var response = await AskOne(new ReflectionV1ServiceImpl(Services), new ServerReflectionRequest { Host = "probe.example" });

        Assert.Equal((int)StatusCode.Unimplemented, response.ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task Responses_EchoTheOriginalRequestAndHost()
    {
        var request = new ServerReflectionRequest { Host = "datasets:50051", FileContainingSymbol = "cauchy.probe.v1.Probe" };

        var response = await AskOne(new ReflectionV1ServiceImpl(Services), request);

        Assert.Equal(request, response.OriginalRequest);
        Assert.Equal("datasets:50051", response.ValidHost);
    }

    [Fact]
    public async Task V1AlphaAndV1_GiveByteForByteTheSameAnswers()
    {
        ServerReflectionRequest[] requests =
        [
            new() { ListServices = "" },
            new() { FileContainingSymbol = "cauchy.probe.v1.DescribeRequest.Options" },
            new() { FileByFilename = "grpc/health/v1/health.proto" },
            new() { FileContainingSymbol = "no.such.Symbol" },
            new() { AllExtensionNumbersOfType = "google.protobuf.FieldOptions" },
        ];

        var v1 = await Ask(new ReflectionV1ServiceImpl(Services), requests);
        var v1Alpha = await AskV1Alpha(
            new ReflectionServiceImpl(Services),
            requests.Select(request => V1Alpha.ServerReflectionRequest.Parser.ParseFrom(request.ToByteString())).ToArray());

        Assert.Equal(requests.Length, v1Alpha.Count);
        Assert.Equal(v1.Select(response => response.ToByteString()), v1Alpha.Select(response => response.ToByteString()));
        Assert.Equal(V1Alpha.ServerReflectionResponse.MessageResponseOneofCase.ListServicesResponse, v1Alpha[0].MessageResponseCase);
        Assert.Equal(V1Alpha.ServerReflectionResponse.MessageResponseOneofCase.ErrorResponse, v1Alpha[3].MessageResponseCase);
    }

    [Fact]
    public async Task Stream_AnswersEachRequestAsItArrives_AndEndsWhenTheClientHalfCloses()
    {
        var reflection = new ReflectionV1ServiceImpl(Services);
        var requests = new QueueStreamReader<ServerReflectionRequest>();
        var responses = new RecordingStreamWriter<ServerReflectionResponse>();
        var call = reflection.ServerReflectionInfo(requests, responses, Context());

        requests.Add(new ServerReflectionRequest { ListServices = "" });
        Assert.Equal(4, (await responses.NextAsync()).ListServicesResponse.Service.Count);
        requests.Add(new ServerReflectionRequest { FileContainingSymbol = "grpc.health.v1.Health" });
        Assert.Equal("grpc/health/v1/health.proto", FileNames(await responses.NextAsync())[0]);
        Assert.False(call.IsCompleted);

        requests.Complete();
        await call.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private static async Task<ServerReflectionResponse> AskOne(ReflectionV1ServiceImpl reflection, ServerReflectionRequest request) =>
        Assert.Single(await Ask(reflection, request));

    private static async Task<List<ServerReflectionResponse>> Ask(ReflectionV1ServiceImpl reflection, params ServerReflectionRequest[] requests)
    {
        var reader = new QueueStreamReader<ServerReflectionRequest>();
        foreach (var request in requests)
        {
            reader.Add(request);
        }
        reader.Complete();
        var writer = new RecordingStreamWriter<ServerReflectionResponse>();
        await reflection.ServerReflectionInfo(reader, writer, Context()).WaitAsync(TimeSpan.FromSeconds(5));
        return await Drain(writer, requests.Length);
    }

    private static async Task<List<V1Alpha.ServerReflectionResponse>> AskV1Alpha(ReflectionServiceImpl reflection, params V1Alpha.ServerReflectionRequest[] requests)
    {
        var reader = new QueueStreamReader<V1Alpha.ServerReflectionRequest>();
        foreach (var request in requests)
        {
            reader.Add(request);
        }
        reader.Complete();
        var writer = new RecordingStreamWriter<V1Alpha.ServerReflectionResponse>();
        await reflection.ServerReflectionInfo(reader, writer, Context()).WaitAsync(TimeSpan.FromSeconds(5));
        return await Drain(writer, requests.Length);
    }

    private static async Task<List<T>> Drain<T>(RecordingStreamWriter<T> writer, int expected)
    {
        var responses = new List<T>();
        for (var i = 0; i < expected; i++)
        {
            responses.Add(await writer.NextAsync());
        }
        Assert.False(await writer.HasMoreAfterAsync(TimeSpan.Zero), "One response per request, no more.");
        return responses;
    }

    private static List<string> FileNames(ServerReflectionResponse response) =>
        response.FileDescriptorResponse.FileDescriptorProto.Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes).Name).ToList();

    private static TestServerCallContext Context() => new("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo");
}
