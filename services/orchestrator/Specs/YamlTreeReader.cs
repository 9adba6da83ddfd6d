using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Cauchy.Orchestrator.Specs;

/// <summary>
/// Builds the <see cref="HypesNode"/> tree of one YAML document from the parser's events, enforcing
/// <see cref="HypesReader"/>'s limits as it goes. An alias is not copied: the tree refers to the anchored node again,
/// and the node's expanded size and height are added to the running totals, so a document that would expand beyond
/// the limits is refused after reading only its own text.
/// </summary>
internal sealed class YamlTreeReader(IParser parser)
{
    private readonly Dictionary<string, Anchored> _anchors = new(StringComparer.Ordinal);
    private long _nodes;
    private int _aliases;

    /// <summary>A node read so far with its size (values, aliases expanded) and its height (levels below it).</summary>
    private sealed record Anchored(HypesNode Node, long Size, int Height);

    /// <exception cref="HypesException">The document is not one mapping-list-scalar document within the limits.</exception>
    /// <exception cref="YamlException">The text is not YAML.</exception>
    public HypesNode ReadDocument()
    {
        Expect<StreamStart>();
        if (Peek() is StreamEnd)
        {
            throw new HypesException("hypes.text", null, "expected one YAML document, found none");
        }

        Expect<DocumentStart>();
        var root = ReadNode(0);
        Expect<DocumentEnd>();
        if (Peek() is DocumentStart second)
        {
            throw new HypesException("hypes.text", Line(second), "expected one YAML document, found more");
        }

        Expect<StreamEnd>();
        return root.Node;
    }

    private Anchored ReadNode(int depth)
    {
        var next = Next();
        var line = Line(next);
        if (depth > HypesReader.MaxDepth)
        {
            throw new HypesException("hypes.text", line, $"nested deeper than {HypesReader.MaxDepth} levels");
        }

        switch (next)
        {
            case AnchorAlias alias:
                if (++_aliases > HypesReader.MaxAliases)
                {
                    throw new HypesException("hypes.text", line, $"more than {HypesReader.MaxAliases} aliases; at most {HypesReader.MaxAliases} are accepted");
                }

                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    throw new HypesException("hypes.text", line, $"not valid YAML: the alias *{alias.Value.Value} names no anchor before it");
                }

                if (depth + target.Height > HypesReader.MaxDepth)
                {
                    throw new HypesException("hypes.text", line, $"the alias *{alias.Value.Value} makes the document nested deeper than {HypesReader.MaxDepth} levels");
                }

                Count(target.Size, line, expanding: true);
                return target;
            case Scalar scalar:
                Count(1, line, expanding: false);
                var plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
                var isNull = plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";
                return Remember(scalar, new Anchored(new HypesScalar(line, scalar.Value, isNull), 1, 0));
            case SequenceStart sequence:
                Count(1, line, expanding: false);
                return Remember(sequence, ReadSequence(line, depth));
            case MappingStart mapping:
                Count(1, line, expanding: false);
                return Remember(mapping, ReadMapping(line, depth));
            default:
                throw new HypesException("hypes.text", line, "only mappings, lists, values and aliases are supported");
        }
    }

    private Anchored ReadSequence(int line, int depth)
    {
        var items = new List<HypesNode>();
        long size = 1;
        var height = 0;
        while (Peek() is not SequenceEnd)
        {
            var item = ReadNode(depth + 1);
            items.Add(item.Node);
            size += item.Size;
            height = Math.Max(height, item.Height + 1);
        }

        Next();
        return new Anchored(new HypesSequence(line, items), size, height);
    }

    private Anchored ReadMapping(int line, int depth)
    {
        var entries = new List<KeyValuePair<HypesScalar, HypesNode>>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        long size = 1;
        var height = 0;
        while (Peek() is not MappingEnd)
        {
            var key = ReadNode(depth + 1);
            if (key.Node is not HypesScalar keyScalar)
            {
                throw new HypesException("hypes.text", key.Node.Line, "mapping keys must be plain names");
            }

            if (!keys.Add(keyScalar.Text))
            {
                throw new HypesException("hypes.text", keyScalar.Line, $"not valid YAML: duplicate key '{keyScalar.Text}'");
            }

            var value = ReadNode(depth + 1);
            entries.Add(new(keyScalar, value.Node));
            size += key.Size + value.Size;
            height = Math.Max(height, value.Height + 1);
        }

        Next();
        return new Anchored(new HypesMapping(line, entries), size, height);
    }

    private Anchored Remember(NodeEvent node, Anchored read)
    {
        if (!node.Anchor.IsEmpty)
        {
            _anchors[node.Anchor.Value] = read;
        }

        return read;
    }

    /// <summary>Adds <paramref name="size"/> values to the document's total; the totals stay below the limit, so they cannot overflow.</summary>
    private void Count(long size, int line, bool expanding)
    {
        _nodes += size;
        if (_nodes > HypesReader.MaxNodes)
        {
            var what = expanding ? "aliases expand the document to" : "the document holds";
            throw new HypesException("hypes.text", line, $"{what} more than {HypesReader.MaxNodes} values; at most {HypesReader.MaxNodes} values are accepted");
        }
    }

    /// <summary>The next event, not consumed (the parser's <c>Current</c> is its look-ahead).</summary>
    private ParsingEvent Peek()
    {
        if (parser.Current is null && !parser.MoveNext())
        {
            throw new HypesException("hypes.text", null, "not valid YAML: the document ends early");
        }

        return parser.Current!;
    }

    private ParsingEvent Next()
    {
        var next = Peek();
        parser.MoveNext();
        return next;
    }

    private void Expect<T>()
        where T : ParsingEvent
    {
        var next = Next();
        if (next is not T)
        {
            throw new HypesException("hypes.text", Line(next), $"not valid YAML: unexpected {next.GetType().Name}");
        }
    }

    private static int Line(ParsingEvent e) => (int)e.Start.Line;
}
