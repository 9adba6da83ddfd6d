using System.Text.Json;
using Cauchy.Domain;
using Cauchy.V1;
using YamlDotNet.Core;

namespace Cauchy.Orchestrator.Specs;

/// <summary>Reads YAML or JSON text into a <see cref="HypesNode"/> tree that remembers lines.</summary>
public static class HypesReader
{
    /// <summary>The longest document accepted, in characters (<see cref="TextLimits.HypesDocument"/>).</summary>
    public const int MaxDocumentLength = TextLimits.HypesDocument;

    /// <summary>The deepest nesting of mappings and lists, counted after aliases are replaced by what they name.</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// The most values (mappings, lists and scalars) a document may hold once its aliases are replaced by what they
    /// name. A full spec has about a hundred; the limit is what stops a few hundred bytes of nested aliases ("billion
    /// laughs") from expanding into billions of values. It is checked while parsing, before anything is expanded.
    /// </summary>
    public const int MaxNodes = 10_000;

    /// <summary>The most aliases (<c>*name</c>) a document may use.</summary>
    public const int MaxAliases = 100;

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
        try
        {
            return new YamlTreeReader(new Parser(new StringReader(text))).ReadDocument();
        }
        catch (YamlException ex)
        {
            var line = (int)ex.Start.Line;
            throw new HypesException("hypes.text", line, "not valid YAML: " + InnermostMessage(ex));
        }
    }

    private static HypesNode ReadJson(string text)
    {
        try
        {
            var options = new JsonDocumentOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
            using var document = JsonDocument.Parse(text, options);
            var values = CountValues(document.RootElement);
            if (values > MaxNodes)
            {
                throw new HypesException("hypes.text", null, $"the document holds {values} values; at most {MaxNodes} values are accepted");
            }

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

    private static long CountValues(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => 1 + element.EnumerateObject().Sum(property => 1 + CountValues(property.Value)),
        JsonValueKind.Array => 1 + element.EnumerateArray().Sum(CountValues),
        _ => 1,
    };

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
        private int _counted;
        private int _countedLine = 1;

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
            // Fragments come in document order, so the newlines are counted once, from where the last count ended.
            for (; _counted < found; _counted++)
            {
                if (text[_counted] == '\n')
                {
                    _countedLine++;
                }
            }

            var line = _countedLine;
            _lastLine = line;
            return line;
        }
    }
}
