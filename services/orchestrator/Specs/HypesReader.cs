using System.Text.Json;
using Cauchy.V1;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cauchy.Orchestrator.Specs;

/// <summary>Reads YAML or JSON text into a <see cref="HypesNode"/> tree that remembers lines.</summary>
public static class HypesReader
{
    /// <summary>Bounds that keep a hostile document from costing more than a spec is worth.</summary>
    public const int MaxDocumentLength = 1 << 20;

    public const int MaxDepth = 32;

    public static HypesNode Read(string text, HypesFormat format)
    {
        if (text.Length > MaxDocumentLength)
        {
            throw new HypesException("hypes.text", null, $"the document is {text.Length} characters; at most {MaxDocumentLength} are accepted");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new HypesException("hypes.text", null, "the document is empty");
        }

        return format switch
        {
            HypesFormat.Json => ReadJson(text),
            HypesFormat.Yaml => ReadYaml(text),
            // Unspecified: JSON documents start with '{'; everything else is YAML (of which JSON is nearly a subset).
            _ => text.TrimStart().StartsWith('{') ? ReadJson(text) : ReadYaml(text),
        };
    }

    private static HypesNode ReadYaml(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            var line = (int)ex.Start.Line;
            throw new HypesException("hypes.text", line, "not valid YAML: " + InnermostMessage(ex));
        }

        if (stream.Documents.Count != 1)
        {
            throw new HypesException("hypes.text", null, $"expected one YAML document, found {stream.Documents.Count}");
        }

        return Convert(stream.Documents[0].RootNode, 0);
    }

    private static HypesNode Convert(YamlNode node, int depth)
    {
        var line = (int)node.Start.Line;
        if (depth > MaxDepth)
        {
            throw new HypesException("hypes.text", line, $"nested deeper than {MaxDepth} levels");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var entries = new List<KeyValuePair<HypesScalar, HypesNode>>();
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode keyScalar)
                    {
                        throw new HypesException("hypes.text", (int)key.Start.Line, "mapping keys must be plain names");
                    }

                    entries.Add(new(new HypesScalar((int)key.Start.Line, keyScalar.Value ?? ""), Convert(value, depth + 1)));
                }

                return new HypesMapping(line, entries);
            case YamlSequenceNode sequence:
                return new HypesSequence(line, sequence.Children.Select(child => Convert(child, depth + 1)).ToList());
            case YamlScalarNode scalar:
                var plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
                var isNull = plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";
                return new HypesScalar(line, scalar.Value ?? "", isNull);
            default:
                throw new HypesException("hypes.text", line, "aliases and other YAML features beyond mappings, lists and values are not supported");
        }
    }

    private static HypesNode ReadJson(string text)
    {
        try
        {
            var options = new JsonDocumentOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
            using var document = JsonDocument.Parse(text, options);
            var lines = new LineIndex(text);
            return Convert(document.RootElement, text, lines);
        }
        catch (JsonException ex)
        {
            throw new HypesException("hypes.text", (int?)(ex.LineNumber + 1), "not valid JSON: " + ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0]);
        }
    }

    // JsonElement does not expose positions, so the line of a value is found by searching the raw text for the
    // element's own text from where the previous lookup ended; values are visited in document order.
    private static HypesNode Convert(JsonElement element, string text, LineIndex lines)
    {
        var line = lines.LineOf(element.GetRawText());
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var entries = new List<KeyValuePair<HypesScalar, HypesNode>>();
                foreach (var property in element.EnumerateObject())
                {
                    var keyLine = lines.LineOf(JsonSerializer.Serialize(property.Name));
                    entries.Add(new(new HypesScalar(keyLine, property.Name), Convert(property.Value, text, lines)));
                }

                return new HypesMapping(line, entries);
            case JsonValueKind.Array:
                return new HypesSequence(line, element.EnumerateArray().Select(item => Convert(item, text, lines)).ToList());
            case JsonValueKind.String:
                return new HypesScalar(line, element.GetString()!);
            case JsonValueKind.Null:
                return new HypesScalar(line, "", IsNull: true);
            default:
                return new HypesScalar(line, element.GetRawText());
        }
    }

    private static string InnermostMessage(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        var message = ex.Message;
        var paren = message.IndexOf("): ", StringComparison.Ordinal);
        return paren >= 0 ? message[(paren + 3)..] : message;
    }

    /// <summary>Finds the line of successive fragments of a JSON text.</summary>
    private sealed class LineIndex(string text)
    {
        private int _position;
        private int _lastLine = 1;

        public int LineOf(string fragment)
        {
            var first = fragment.Split('\n')[0].TrimEnd('\r');
            var found = text.IndexOf(first, _position, StringComparison.Ordinal);
            if (found < 0)
            {
                // Escapes can make the raw text differ from the re-serialised fragment: keep the last known line.
                return _lastLine;
            }

            _position = found + 1;
            var line = 1;
            for (var i = 0; i < found; i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                }
            }

            _lastLine = line;
            return line;
        }
    }
}
