using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using Cauchy.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Cauchy.Orchestrator.Specs;

/// <summary>A spec read from a hypes document, with the document line of every field path that was given.</summary>
public sealed record BoundSpec(JobSpec Spec, IReadOnlyDictionary<string, int> Lines);

/// <summary>
/// Matches a <see cref="HypesNode"/> tree against <see cref="JobSpec"/>'s descriptor. Field names may be
/// snake_case or lowerCamelCase (protobuf's JSON names); enum values may be written in full
/// (<c>TASK_TYPE_DETECTION</c>) or as their suffix in any case (<c>detection</c>); durations as <c>90s</c>,
/// <c>15m</c>, <c>2h</c>, <c>1h30m</c> or <c>1d</c>. Unknown fields are errors, not silently dropped: a typo in
/// a hyperparameter must not train with the default.
/// </summary>
public static partial class HypesBinder
{
    public static BoundSpec Bind(HypesNode root)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var spec = (JobSpec)BindMessage(root, JobSpec.Descriptor, "spec", lines);
        return new BoundSpec(spec, lines);
    }

    private static IMessage BindMessage(HypesNode node, MessageDescriptor descriptor, string path, Dictionary<string, int> lines)
    {
        if (node is not HypesMapping mapping)
        {
            throw new HypesException(path, node.Line, $"expected a mapping of {descriptor.Name} fields, got {Describe(node)}");
        }

        var message = (IMessage)Activator.CreateInstance(descriptor.ClrType)!;
        var given = new Dictionary<int, string>();
        foreach (var (key, value) in mapping.Entries)
        {
            var field = descriptor.FindFieldByName(key.Text)
                ?? descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == key.Text)
                ?? throw new HypesException(
                    $"{path}.{key.Text}",
                    key.Line,
                    $"unknown field; {descriptor.Name} has {string.Join(", ", descriptor.Fields.InDeclarationOrder().Select(f => f.Name))}");
            var fieldPath = $"{path}.{field.Name}";
            if (!given.TryAdd(field.FieldNumber, key.Text))
            {
                throw new HypesException(fieldPath, key.Line, $"given twice (as '{given[field.FieldNumber]}' and '{key.Text}')");
            }

            if (field.RealContainingOneof is { } oneof)
            {
                var other = oneof.Fields.FirstOrDefault(f => f != field && given.ContainsKey(f.FieldNumber));
                if (other is not null)
                {
                    throw new HypesException(fieldPath, key.Line, $"only one of {string.Join(", ", oneof.Fields.Select(f => f.Name))} may be given");
                }
            }

            lines[fieldPath] = key.Line;
            if (value is HypesScalar { IsNull: true })
            {
                continue;
            }

            if (field.IsMap)
            {
                BindMap(value, field, fieldPath, (IDictionary)field.Accessor.GetValue(message), lines);
            }
            else if (field.IsRepeated)
            {
                var items = value is HypesSequence sequence
                    ? sequence.Items
                    : throw new HypesException(fieldPath, value.Line, $"expected a list, got {Describe(value)}");
                var list = (IList)field.Accessor.GetValue(message);
                for (var i = 0; i < items.Count; i++)
                {
                    list.Add(ConvertSingle(items[i], field, $"{fieldPath}[{i}]", lines));
                }
            }
            else
            {
                field.Accessor.SetValue(message, ConvertSingle(value, field, fieldPath, lines));
            }
        }

        return message;
    }

    private static void BindMap(HypesNode node, FieldDescriptor field, string path, IDictionary map, Dictionary<string, int> lines)
    {
        if (node is not HypesMapping mapping)
        {
            throw new HypesException(path, node.Line, $"expected a mapping of names to values, got {Describe(node)}");
        }

        var valueField = field.MessageType.FindFieldByNumber(2);
        foreach (var (key, value) in mapping.Entries)
        {
            var entryPath = $"{path}.{key.Text}";
            if (map.Contains(key.Text))
            {
                throw new HypesException(entryPath, key.Line, "given twice");
            }

            lines[entryPath] = key.Line;
            map[key.Text] = value is HypesScalar { IsNull: true } ? "" : ConvertSingle(value, valueField, entryPath, lines);
        }
    }

    private static object ConvertSingle(HypesNode node, FieldDescriptor field, string path, Dictionary<string, int> lines)
    {
        if (field.FieldType == FieldType.Message)
        {
            if (field.MessageType.ClrType == typeof(Duration))
            {
                return ParseDuration(Scalar(node, path, "a duration such as 90s, 15m, 2h or 1h30m"), path);
            }

            if (field.MessageType.ClrType == typeof(Timestamp))
            {
                var text = Scalar(node, path, "an RFC 3339 time");
                return DateTimeOffset.TryParse(text.Text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                    ? Timestamp.FromDateTimeOffset(time)
                    : throw new HypesException(path, node.Line, $"expected an RFC 3339 time, got '{text.Text}'");
            }

            return BindMessage(node, field.MessageType, path, lines);
        }

        var scalar = Scalar(node, path, "a value");
        var s = scalar.Text.Trim();
        switch (field.FieldType)
        {
            case FieldType.String:
                return scalar.Text;
            case FieldType.Bool:
                return s.ToLowerInvariant() switch
                {
                    "true" => true,
                    "false" => false,
                    _ => throw new HypesException(path, node.Line, $"expected true or false, got '{s}'"),
                };
            case FieldType.Enum:
                return ParseEnum(s, field.EnumType, path, node.Line);
            case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32:
                return int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i32)
                    ? i32
                    : throw new HypesException(path, node.Line, $"expected a whole number, got '{s}'");
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i64)
                    ? i64
                    : throw new HypesException(path, node.Line, $"expected a whole number, got '{s}'");
            case FieldType.UInt32 or FieldType.Fixed32:
                return uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var u32)
                    ? u32
                    : throw new HypesException(path, node.Line, $"expected a non-negative whole number, got '{s}'");
            case FieldType.UInt64 or FieldType.Fixed64:
                return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var u64)
                    ? u64
                    : throw new HypesException(path, node.Line, $"expected a non-negative whole number, got '{s}'");
            case FieldType.Double or FieldType.Float:
                if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
                {
                    throw new HypesException(path, node.Line, $"expected a finite number, got '{s}'");
                }

                return field.FieldType == FieldType.Float ? (object)(float)d : d;
            default:
                throw new HypesException(path, node.Line, $"fields of type {field.FieldType} cannot be given in a hypes document");
        }
    }

    private static HypesScalar Scalar(HypesNode node, string path, string expected) =>
        node as HypesScalar ?? throw new HypesException(path, node.Line, $"expected {expected}, got {Describe(node)}");

    private static object ParseEnum(string text, EnumDescriptor type, string path, int line)
    {
        var prefix = type.Values.Single(v => v.Number == 0).Name[..^"UNSPECIFIED".Length];
        var wanted = text.Replace('-', '_').ToUpperInvariant();
        var value = type.Values.FirstOrDefault(v => v.Name == wanted || v.Name == prefix + wanted);
        if (value is null)
        {
            var names = type.Values.Where(v => v.Number != 0).Select(v => v.Name[prefix.Length..].ToLowerInvariant());
            throw new HypesException(path, line, $"unknown value '{text}'; expected one of {string.Join(", ", names)}");
        }

        return System.Enum.ToObject(type.ClrType, value.Number);
    }

    private static Duration ParseDuration(HypesScalar scalar, string path)
    {
        var text = scalar.Text.Trim();
        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            throw new HypesException(path, scalar.Line, $"expected a duration such as 90s, 15m, 2h or 1h30m, got '{text}'");
        }

        var total = TimeSpan.Zero;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unitAt = part.Value.IndexOfAny(['d', 'h', 'm', 's']);
            var amount = double.Parse(part.Value[..unitAt], CultureInfo.InvariantCulture);
            total += part.Value[unitAt..] switch
            {
                "d" => TimeSpan.FromDays(amount),
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "ms" => TimeSpan.FromMilliseconds(amount),
                _ => TimeSpan.FromSeconds(amount),
            };
        }

        return Duration.FromTimeSpan(total);
    }

    private static string Describe(HypesNode node) => node switch
    {
        HypesMapping => "a mapping",
        HypesSequence => "a list",
        HypesScalar { IsNull: true } => "null",
        HypesScalar s => $"'{s.Text}'",
        _ => node.GetType().Name,
    };

    [GeneratedRegex(@"^(?<part>[0-9]+(\.[0-9]+)?(d|h|ms|m|s))+$")]
    private static partial Regex DurationPattern();
}
