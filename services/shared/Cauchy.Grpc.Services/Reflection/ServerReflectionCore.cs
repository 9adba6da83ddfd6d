using Cauchy.Grpc.Services.Mapping;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Reflection.V1;

namespace Cauchy.Grpc.Services.Reflection;

/// <summary>
/// The reflection protocol, answered once for both versions. v1 and v1alpha declare the very same
/// messages with the same field numbers (only the package differs), so a v1alpha message is turned
/// into its v1 twin by re-reading its bytes, and the answer goes back the same way: one code path,
/// and the two versions cannot drift apart.
/// </summary>
internal sealed class ServerReflectionCore(IMappedServices services)
{
    /// <summary>
    /// Indexes the services mapped now. Taken once per stream rather than once per server: services
    /// are mapped after the reflection service may have been created, and a stream should see one
    /// consistent view.
    /// </summary>
    public DescriptorIndex CreateIndex()
    {
        var snapshot = services.Snapshot();
        return DescriptorIndex.Build(
            snapshot.Select(service => service.FullName),
            snapshot.Where(service => service.Descriptor is not null).Select(service => service.Descriptor!));
    }

    /// <summary>Answers every request of one ServerReflectionInfo stream, in order, until the client half-closes.</summary>
    public async Task ServeAsync<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requests,
        IAsyncStreamWriter<TResponse> responses,
        MessageParser<TResponse> responseParser,
        CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(responses);
        ArgumentNullException.ThrowIfNull(responseParser);
        var index = CreateIndex();
        while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var request = requests.Current as ServerReflectionRequest
                ?? ServerReflectionRequest.Parser.ParseFrom(requests.Current.ToByteString());
            var response = Answer(index, request);
            var converted = response is TResponse same ? same : responseParser.ParseFrom(response.ToByteString());
            await responses.WriteAsync(converted).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The answer to one request. Never throws for a client's mistake: the protocol reports a
    /// failed lookup in an error_response and the stream goes on serving later requests.
    /// </summary>
    public static ServerReflectionResponse Answer(DescriptorIndex index, ServerReflectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(request);
        var response = new ServerReflectionResponse
        {
            ValidHost = request.Host,
            OriginalRequest = request.Clone(),
        };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                response.ListServicesResponse = ListServices(index);
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                var byName = index.FindFileByName(request.FileByFilename);
                if (byName is null)
                {
                    response.ErrorResponse = NotFound($"File '{request.FileByFilename}' is not known to this server's reflection service.");
                }
                else
                {
                    response.FileDescriptorResponse = Files(byName);
                }
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                var bySymbol = index.FindFileContainingSymbol(request.FileContainingSymbol);
                if (bySymbol is null)
                {
                    response.ErrorResponse = NotFound($"Symbol '{request.FileContainingSymbol}' is not declared by any file this server's reflection service knows.");
                }
                else
                {
                    response.FileDescriptorResponse = Files(bySymbol);
                }
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                var wanted = request.FileContainingExtension;
                var extension = index.FindExtension(wanted.ContainingType, wanted.ExtensionNumber);
                if (extension is null)
                {
                    response.ErrorResponse = NotFound($"No known extension of '{wanted.ContainingType}' has number {wanted.ExtensionNumber}.");
                }
                else
                {
                    response.FileDescriptorResponse = Files(extension.File);
                }
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                var typeName = request.AllExtensionNumbersOfType;
                if (!index.IsKnownMessageType(typeName))
                {
                    response.ErrorResponse = NotFound($"Message type '{typeName}' is not known to this server's reflection service.");
                }
                else
                {
                    response.AllExtensionNumbersResponse = new ExtensionNumberResponse
                    {
                        BaseTypeName = typeName.TrimStart('.'),
                        ExtensionNumber = { index.ExtensionNumbersOf(typeName) },
                    };
                }
                break;
            default:
                // Unset, or a request kind newer than this implementation: the spec's answer for
                // what a server does not implement.
                response.ErrorResponse = new ErrorResponse
                {
                    ErrorCode = (int)StatusCode.Unimplemented,
                    ErrorMessage = "The request sets none of the message_request fields this server understands.",
                };
                break;
        }
        return response;
    }

    private static ListServiceResponse ListServices(DescriptorIndex index)
    {
        var list = new ListServiceResponse();
        list.Service.AddRange(index.ServiceNames.Select(name => new ServiceResponse { Name = name }));
        return list;
    }

    private static FileDescriptorResponse Files(Google.Protobuf.Reflection.FileDescriptor file)
    {
        var files = new FileDescriptorResponse();
        files.FileDescriptorProto.AddRange(DescriptorIndex.SerializeWithDependencies(file));
        return files;
    }

    private static ErrorResponse NotFound(string message) =>
        new() { ErrorCode = (int)StatusCode.NotFound, ErrorMessage = message };
}
