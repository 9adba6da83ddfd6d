using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Cauchy.Deploy.Tests.Support;

/// <summary>YAML documents as JSON nodes. Scalars stay strings (YAML's types are not resolved), which is what the
/// assertions compare; the schemas themselves are checked by tests/chart-node with the real types.</summary>
public static class Yaml
{
    public static List<JsonObject> LoadAll(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents
            .Select(d => ToJson(d.RootNode))
            .OfType<JsonObject>()
            .ToList();
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Value: null or "" or "~" or "null" } scalar when scalar.Style == YamlDotNet.Core.ScalarStyle.Plain => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };
}
