using System.Text.RegularExpressions;
using Cauchy.Domain;

namespace Cauchy.Datasets.Domain;

/// <summary>The id and label rules of common.proto ("Identifiers", "Labels").</summary>
public static partial class Identifiers
{
    [GeneratedRegex("^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?/)?[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$")]
    private static partial Regex LabelKeyPattern();

    public static void ValidateDatasetId(string id, string field)
    {
        if (!Names.IsValid(id))
        {
            throw DomainException.InvalidArgument(
                $"{field} '{id}' is not a valid dataset id: {Names.Rule}");
        }
    }

    public static void ValidateLabels(IReadOnlyCollection<KeyValuePair<string, string>> labels, string field)
    {
        TextLimits.CheckLabels(labels, field);
        foreach (var (key, value) in labels)
        {
            if (!LabelKeyPattern().IsMatch(key))
            {
                throw DomainException.InvalidArgument($"{field} key '{key}' is not a valid label key");
            }
            if (value.Length > 63)
            {
                throw DomainException.InvalidArgument($"{field}['{key}'] is longer than 63 characters");
            }
        }
    }
}
