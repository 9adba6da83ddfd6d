using Cauchy.Probe.V1;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Cauchy.Grpc.Tests.Standard.Integration;

/// <summary>
/// The service the generic client discovers by reflection and calls. Its answer spells out what it
/// received, so a client that built its stubs from reflected descriptors proves it encoded nested
/// messages, enums, a oneof and imported well-known types correctly.
/// </summary>
internal sealed class ProbeService : Cauchy.Probe.V1.Probe.ProbeBase
{
    public static readonly Timestamp FixedTime = Timestamp.FromDateTime(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));

    public override Task<DescribeResponse> Describe(DescribeRequest request, ServerCallContext context)
    {
        var options = request.Options ?? new DescribeRequest.Types.Options();
        var greeting = string.Join(" ", Enumerable.Repeat($"Hello, {request.Name}!", Math.Max(options.Repeat, 1)));
        var response = new DescribeResponse
        {
            Greeting = options.Style == DescribeRequest.Types.Options.Types.Style.Shout ? greeting.ToUpperInvariant() : greeting,
            Stamp = new Stamp { At = FixedTime, Label = ProtoName(DescribeRequest.Descriptor, "mood", (int)request.Mood) },
        };
        if (request.Name.Length > 0)
        {
            response.FieldsSeen.Add($"name={request.Name}");
        }
        if (request.Mood != Mood.Unspecified)
        {
            response.FieldsSeen.Add($"mood={response.Stamp.Label}");
        }
        if (request.Options is not null)
        {
            response.FieldsSeen.Add($"options.style={ProtoName(DescribeRequest.Types.Options.Descriptor, "style", (int)options.Style)}");
            response.FieldsSeen.Add($"options.repeat={options.Repeat}");
        }
        if (request.Patience is not null)
        {
            response.FieldsSeen.Add($"patience={request.Patience.ToTimeSpan().TotalSeconds}s");
        }
        switch (request.SubjectCase)
        {
            case DescribeRequest.SubjectOneofCase.Topic:
                response.FieldsSeen.Add($"topic={request.Topic}");
                break;
            case DescribeRequest.SubjectOneofCase.Number:
                response.FieldsSeen.Add($"number={request.Number}");
                break;
        }
        return Task.FromResult(response);
    }

    // The .proto spelling ("MOOD_EAGER"), which a client in another language sends and shows.
    private static string ProtoName(MessageDescriptor message, string enumField, int number) =>
        message.FindFieldByName(enumField).EnumType.FindValueByNumber(number).Name;
}
