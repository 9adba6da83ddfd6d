using Cauchy.Domain;
using Cauchy.V1;

namespace Cauchy.Metrics.Evaluations;

/// <summary>The header's class names, which every kind but COCO requires: their number is the number of classes.</summary>
public static class ClassNames
{
    /// <summary>Throws an INVALID_ARGUMENT <see cref="DomainException"/> when there are none or one is empty.</summary>
    public static void Check(EvaluationHeader header)
    {
        if (header.ClassNames.Count == 0)
        {
            throw DomainException.InvalidArgument("header.class_names", "at least one class name is required; their number is the number of classes");
        }

        for (var i = 0; i < header.ClassNames.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(header.ClassNames[i]))
            {
                throw DomainException.InvalidArgument($"header.class_names[{i}]", "is empty");
            }
        }
    }
}
