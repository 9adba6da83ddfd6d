using System.Text.Json;
using System.Text.Json.Nodes;
using Cauchy.Domain;
using Cauchy.V1;
using Google.Protobuf;

namespace Cauchy.Registry.Domain;

/// <summary>The model card: the caller's JSON object, or one the registry writes from the version's fields.</summary>
public static class ModelCard
{
    /// <summary>INVALID_ARGUMENT naming <paramref name="field"/> unless <paramref name="json"/> is a UTF-8 JSON object.</summary>
    public static void Validate(ByteString json, string field)
    {
        if (json.Length > TextLimits.ModelCardBytes)
        {
            throw RegistryErrors.InvalidArgument(field, $"has {json.Length} bytes; at most {TextLimits.ModelCardBytes} are accepted.");
        }

        try
        {
            if (JsonNode.Parse(json.Span, documentOptions: new JsonDocumentOptions { MaxDepth = TextLimits.JsonDepth }) is not JsonObject)
            {
                throw RegistryErrors.InvalidArgument(field, "must be a JSON object.");
            }
        }
        catch (JsonException e)
        {
            throw RegistryErrors.InvalidArgument(field, $"is not JSON: {e.Message}");
        }
    }

    public static byte[] Write(string modelName, TaskType taskType, string architecture, IEnumerable<string> classNames,
        IEnumerable<MetricValue> metrics, Lineage? lineage, PretrainedSource? pretrained, string description)
    {
        var card = new JsonObject
        {
            ["model_name"] = modelName,
            ["task_type"] = taskType.ToString().ToLowerInvariant(),
            ["architecture"] = architecture,
            ["description"] = description,
            ["class_names"] = new JsonArray(classNames.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
            ["metrics"] = new JsonObject(metrics.Select(m => KeyValuePair.Create(m.Name, (JsonNode?)JsonValue.Create(m.Value)))),
        };
        if (lineage is not null)
        {
            card["lineage"] = JsonNode.Parse(JsonFormatter.Default.Format(lineage));
        }
        if (pretrained is not null)
        {
            card["pretrained"] = JsonNode.Parse(JsonFormatter.Default.Format(pretrained));
        }
        return JsonSerializer.SerializeToUtf8Bytes(card, new JsonSerializerOptions { WriteIndented = true });
    }
}
